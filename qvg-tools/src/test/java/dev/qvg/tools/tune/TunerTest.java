package dev.qvg.tools.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.VideoKvConfig;
import dev.qvg.io.VideoKvGenerator;
import dev.qvg.residual.WarmStart;
import dev.qvg.tools.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error-targeted tuner (issue 11) on small generator data, reference backend. */
class TunerTest {

    private static final VideoKvGenerator.VideoKv DATA =
            VideoKvGenerator.generate(VideoKvConfig.defaults().withSize(4, 8, 8, 2, 64));
    private static final QuantizerConfig BASE = QuantizerConfig.builder().maxIters(20).build();
    private static final SearchSpace SPACE = new SearchSpace(BASE, List.of(2, 3, 4), List.of(0, 1, 2), List.of(16, 32));

    private final Tuner tuner = new Tuner(Fixtures::quantizer);

    @Test
    void choosesTheFewestBitsThatMeetTheTarget() {
        for (TuneTarget target : List.of(TuneTarget.snrDb(20), TuneTarget.relL2(0.05))) {
            TuneResult r = tuner.tune("k", DATA.keys(), KvRole.KEY, target, SPACE);
            System.out.println(r.summary());
            assertTrue(r.met(), r.summary());
            assertTrue(target.metBy(r.measured()));
            TuneResult.Trial last = r.trials().get(r.trials().size() - 1);
            assertEquals(r.chosen(), last.config());
            for (int i = 0; i + 1 < r.trials().size(); i++) {
                TuneResult.Trial t = r.trials().get(i);
                assertFalse(t.met(), "an earlier trial met the target: " + t);
                assertTrue(t.bitsPerValue() <= r.trials().get(i + 1).bitsPerValue(), "trials run in bits order");
            }
            // Every candidate not run has at least as many bits as the chosen one.
            for (QuantizerConfig c : SPACE.candidates()) {
                if (r.trials().stream().noneMatch(t -> t.config().equals(c))) {
                    double bits = Fixtures.quantizer(c).budget(DATA.keys().shape(), KvRole.KEY).bitsPerValue();
                    assertTrue(bits >= r.bitsPerValue(), c.label() + " has " + bits + " bits");
                }
            }
            // The choice re-measures to the same error: deterministic.
            Quantizer q = Fixtures.quantizer(r.chosen());
            ErrorMetrics again = ErrorMetrics.compare(DATA.keys().data(),
                    q.dequantize(q.quantize(DATA.keys(), KvRole.KEY)).data(), 64);
            assertEquals(r.measured(), again);
        }
    }

    @Test
    void aLooserTargetNeverCostsMoreBits() {
        TuneResult loose = tuner.tune("v", DATA.values(), KvRole.VALUE, TuneTarget.snrDb(15), SPACE);
        TuneResult tight = tuner.tune("v", DATA.values(), KvRole.VALUE, TuneTarget.snrDb(25), SPACE);
        assertTrue(loose.met() && tight.met(), loose.summary() + " / " + tight.summary());
        assertTrue(loose.bitsPerValue() < tight.bitsPerValue(), loose.summary() + " / " + tight.summary());
    }

    @Test
    void anUnreachableTargetReturnsTheMostAccurateCandidate() {
        TuneResult r = tuner.tune("k", DATA.keys(), KvRole.KEY, TuneTarget.snrDb(200), SPACE);
        assertFalse(r.met());
        assertEquals(SPACE.candidates().size(), r.trials().size());
        double best = r.trials().stream().mapToDouble(t -> t.metrics().relL2()).min().orElseThrow();
        assertEquals(best, r.measured().relL2());
        assertTrue(r.summary().contains("NOT MET"));
    }

    @Test
    void theConfigFileRoundTripsAndDrivesAQuantizer(@TempDir Path dir) throws Exception {
        TuneResult k = tuner.tune("k", DATA.keys(), KvRole.KEY, TuneTarget.snrDb(20), SPACE);
        TuneResult v = tuner.tune("v", DATA.values(), KvRole.VALUE, TuneTarget.snrDb(20), SPACE);
        Path file = dir.resolve("tuned.json");
        TunedConfigFile.write(file, List.of(k, v));
        Map<String, QuantizerConfig> read = TunedConfigFile.read(file);
        assertEquals(List.of("k", "v"), List.copyOf(read.keySet()));
        assertEquals(k.chosen(), read.get("k"));
        assertEquals(v.chosen(), read.get("v"));
        KvTensor x = DATA.values();
        Quantizer q = Fixtures.quantizer(read.get("v"));
        assertEquals(v.bitsPerValue(), q.quantize(x, KvRole.VALUE).budget().bitsPerValue());
        // params (here the warm-start switch) survive too
        QuantizerConfig warm = WarmStart.enable(BASE, true).toBuilder().seed(-7).build();
        TunedConfigFile.writeConfigs(file, Map.of("k", warm));
        assertEquals(warm, TunedConfigFile.read(file).get("k"));
    }

    @Test
    void badFilesAndTargetsAreNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\":\"other\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TunedConfigFile.read(file));
        assertTrue(e.getMessage().contains("format"), e.getMessage());
        TunedConfigFile.writeConfigs(file, Map.of("k", BASE));
        Files.writeString(file, Files.readString(file).replace("\"max_iters\" : 20,", "")
                .replace("\"init\" : \"random\"", "\"init\" : \"random\""));
        e = assertThrows(IllegalArgumentException.class, () -> TunedConfigFile.read(file));
        assertTrue(e.getMessage().contains("tensors.k.config.max_iters: missing"), e.getMessage());
        TunedConfigFile.writeConfigs(file, Map.of("k", BASE));
        Files.writeString(file, Files.readString(file).replace("\"bf16\"", "\"bf17\""));
        e = assertThrows(IllegalArgumentException.class, () -> TunedConfigFile.read(file));
        assertTrue(e.getMessage().contains("scale_precision: unknown value 'bf17'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TuneTarget.relL2(1.5));
        assertTrue(e.getMessage().startsWith("target"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SearchSpace(BASE, List.of(5), List.of(1), List.of(8)));
        assertTrue(e.getMessage().startsWith("bits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SearchSpace(BASE, List.of(2), List.of(), List.of(8)));
        assertTrue(e.getMessage().startsWith("stages"), e.getMessage());
    }
}
