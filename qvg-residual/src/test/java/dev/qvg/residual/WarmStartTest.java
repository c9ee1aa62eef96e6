package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm-start switch of {@link ResidualMethodQuantizer} (issue 11), on the reference backend. */
class WarmStartTest {

    private static final KvShape SPAN = new KvShape(1, 2, 192, 32);

    private static QuantizerConfig config(int stages, Map<String, String> params) {
        return QuantizerConfig.builder().method("prq").stages(stages).blockSize(16).clusters(16).maxIters(30)
                .seed(5).params(params).build();
    }

    /** Three consecutive spans of one slowly drifting prototype video. */
    private static List<KvTensor> spans() {
        KvTensor whole = Fixtures.prototypes(new KvShape(1, 2, 3 * 192, 32), 12, 0.3, 77);
        List<KvTensor> out = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            out.add(whole.tokenRange(j * 192, (j + 1) * 192));
        }
        return out;
    }

    /** Quantizes the spans in order, each warm-started from the one before. */
    private static List<QuantizedKv> chain(QuantizerConfig cfg) {
        Quantizer q = Fixtures.quantizer(cfg);
        List<QuantizedKv> out = new ArrayList<>();
        List<ClusterStage> prev = List.of();
        for (KvTensor span : spans()) {
            QuantizedKv code = q.quantize(span, KvRole.KEY, prev);
            out.add(code);
            prev = code.stages();
        }
        return out;
    }

    @Test
    void offByDefaultTheHintChangesNoBit() {
        QuantizerConfig cfg = config(2, Map.of());
        assertFalse(WarmStart.of(cfg).enabled());
        List<QuantizedKv> hinted = chain(cfg);
        Quantizer q = Fixtures.quantizer(cfg);
        List<KvTensor> spans = spans();
        for (int j = 0; j < spans.size(); j++) {
            QuantizedKv cold = q.quantize(spans.get(j), KvRole.KEY);
            assertArrayEquals(cold.blocks().codes(), hinted.get(j).blocks().codes(), "span " + j);
            for (int s = 0; s < 2; s++) {
                assertArrayEquals(cold.stages().get(s).centroids(), hinted.get(j).stages().get(s).centroids());
                assertArrayEquals(cold.stages().get(s).ids(), hinted.get(j).stages().get(s).ids());
            }
            assertEquals(cold.info(), hinted.get(j).info());
        }
    }

    @Test
    void sameSeedAndSameStreamGiveTheSameBits() {
        QuantizerConfig cfg = config(2, Map.of(WarmStart.PARAM, "true"));
        List<QuantizedKv> a = chain(cfg), b = chain(cfg);
        for (int j = 0; j < a.size(); j++) {
            assertArrayEquals(a.get(j).blocks().codes(), b.get(j).blocks().codes());
            assertArrayEquals(a.get(j).blocks().scales(), b.get(j).blocks().scales());
            for (int s = 0; s < 2; s++) {
                assertArrayEquals(a.get(j).stages().get(s).centroids(), b.get(j).stages().get(s).centroids());
                assertArrayEquals(a.get(j).stages().get(s).ids(), b.get(j).stages().get(s).ids());
                assertArrayEquals(a.get(j).stages().get(s).iterations(), b.get(j).stages().get(s).iterations());
            }
        }
    }

    @Test
    void enabledTheHintStartsEveryStageAndTheProbeIsCounted() {
        QuantizerConfig on = config(2, Map.of(WarmStart.PARAM, "true"));
        List<QuantizedKv> warm = chain(on);
        // Span 0 has no hint: it is the cold encoding.
        QuantizedKv cold0 = Fixtures.quantizer(on).quantize(spans().get(0), KvRole.KEY);
        assertArrayEquals(cold0.stages().get(0).ids(), warm.get(0).stages().get(0).ids());
        assertFalse(warm.get(0).info().containsKey(WarmStart.PARAM));
        QuantizedKv cold1 = Fixtures.quantizer(on).quantize(spans().get(1), KvRole.KEY);
        assertNotEquals(java.util.Arrays.toString(cold1.stages().get(0).centroids()),
                java.util.Arrays.toString(warm.get(1).stages().get(0).centroids()));
        assertEquals("true", warm.get(1).info().get(WarmStart.PARAM));
        for (int s = 0; s < 2; s++) {
            for (int it : warm.get(1).stages().get(s).iterations()) {
                // probe + at least the two rounds of the k-means loop, within the config's budget
                assertTrue(it >= 2 && it <= 30, "stage " + s + " iterations " + it);
            }
        }
        // The result still decodes to a faithful reconstruction of span 1 alone.
        Quantizer q = Fixtures.quantizer(on);
        double rel = Fixtures.relL2(spans().get(1), q.dequantize(warm.get(1)));
        double coldRel = Fixtures.relL2(spans().get(1), q.dequantize(cold1));
        assertTrue(rel < 1.2 * coldRel, "warm relL2 " + rel + " vs cold " + coldRel);
    }

    @Test
    void withoutRestartsTheHintCentroidsAreTheStart() {
        QuantizerConfig on = config(1, Map.of(WarmStart.PARAM, "true", WarmStart.RESEED_EMPTY_PARAM, "false"));
        Quantizer q = Fixtures.quantizer(on);
        KvTensor span = spans().get(1);
        QuantizedKv once = q.quantize(span, KvRole.KEY);
        // Started from its own converged centroids, k-means keeps the partition at once.
        QuantizedKv again = q.quantize(span, KvRole.KEY, once.stages());
        assertArrayEquals(once.stages().get(0).ids(), again.stages().get(0).ids());
        for (int it : again.stages().get(0).iterations()) {
            assertTrue(it <= 3, "warm start from converged centroids took " + it + " iterations");
        }
    }

    @Test
    void badSettingsAndHintsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.quantizer(config(1, Map.of(WarmStart.PARAM, "yes"))));
        assertTrue(e.getMessage().startsWith("params.warmStart"), e.getMessage());
        QuantizerConfig on = config(1, Map.of(WarmStart.PARAM, "true"));
        QuantizedKv other = Fixtures.quantizer(on.toBuilder().clusters(8).build()).quantize(spans().get(0), KvRole.KEY);
        e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.quantizer(on).quantize(spans().get(1), KvRole.KEY, other.stages()));
        assertTrue(e.getMessage().startsWith("warmStart"), e.getMessage());
        assertEquals("true", WarmStart.enable(config(1, Map.of()), true).params().get(WarmStart.PARAM));
        assertEquals(SPAN, spans().get(0).shape());
    }
}
