package dev.qvg.models.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.cache.CacheShape;
import dev.qvg.models.cache.SpanQuantizer;
import dev.qvg.models.cache.StreamingKvCache;
import dev.qvg.models.testing.Data;
import dev.qvg.residual.WarmStart;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Warm starts through the streaming cache: switched by the config, deterministic per stream. */
class CacheWarmStartTest {

    private static final CacheShape SHAPE = new CacheShape(1, 2, 64, 32, 12);
    private static final QuantizerConfig COLD = QuantizerConfig.builder().clusters(16).maxIters(20).blockSize(32)
            .stages(2).build();

    private static List<QuantizedKv> stream(QuantizerConfig cfg) {
        StreamingKvCache c = new StreamingKvCache(SHAPE, CachePolicy.reference().withQuantFactor(3),
                SpanQuantizer.reseeding(cfg), KvRole.KEY, 1, 99);
        KvTensor x = Data.keys(SHAPE.kvShape(12 * 32), 5);
        for (int k = 0; k < 12; k++) {
            c.append(k * 32, x.tokenRange(k * 32, (k + 1) * 32));
        }
        return c.spans().stream().map(StreamingKvCache.Span::data).toList();
    }

    @Test
    void sameSeedAndSameChunkStreamGiveTheSameBits() {
        QuantizerConfig warm = WarmStart.enable(COLD, true);
        List<QuantizedKv> a = stream(warm), b = stream(warm), cold = stream(COLD);
        assertEquals(4, a.size());
        for (int j = 0; j < a.size(); j++) {
            assertArrayEquals(a.get(j).blocks().codes(), b.get(j).blocks().codes());
            for (int s = 0; s < 2; s++) {
                ClusterStage x = a.get(j).stages().get(s), y = b.get(j).stages().get(s);
                assertArrayEquals(x.centroids(), y.centroids());
                assertArrayEquals(x.ids(), y.ids());
            }
        }
        // span 0 has no predecessor: identical to cold; later spans were started from their predecessor
        assertArrayEquals(cold.get(0).stages().get(0).centroids(), a.get(0).stages().get(0).centroids());
        assertFalse(cold.get(0).info().containsKey(WarmStart.PARAM));
        for (int j = 1; j < a.size(); j++) {
            assertEquals("true", a.get(j).info().get(WarmStart.PARAM));
            assertFalse(Arrays.equals(cold.get(j).stages().get(0).centroids(), a.get(j).stages().get(0).centroids()));
            assertFalse(cold.get(j).info().containsKey(WarmStart.PARAM), "off by default");
        }
        assertTrue(a.get(3).budget().bitsPerValue() == cold.get(3).budget().bitsPerValue(), "same storage either way");
    }
}
