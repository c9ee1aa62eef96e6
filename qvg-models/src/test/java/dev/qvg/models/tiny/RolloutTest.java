package dev.qvg.models.tiny;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.models.cache.CachePolicy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rollouts of the tiny model, 48 latent frames (24 chunks of 2), spans of 8 chunks. The margins
 * asserted below are about half of what was measured (README: "What the tiny model shows"); the
 * run is deterministic, so a failure means the behaviour changed, not bad luck.
 */
class RolloutTest {

    static final int FRAMES = 48;
    static TinyVideoModel model;
    static RolloutResult bf16;
    static final Map<String, RolloutReport> REPORTS = new LinkedHashMap<>();

    static RolloutArm arm(String method, int bits, int stages, int sink) {
        QuantizerConfig c = RolloutRequest.tinyQuantizer(method).toBuilder().bits(bits).stages(stages).build();
        return RolloutArm.of(c, new CachePolicy(8, 0, sink));
    }

    @BeforeAll
    static void rollOut() {
        model = new TinyVideoModel(TinyModelConfig.defaults());
        bf16 = Rollout.run(model, FRAMES, RolloutArm.bf16(), 0);
        Map<String, RolloutArm> arms = new LinkedHashMap<>();
        arms.put("rtn2-sink0", arm("rtn", 2, 0, 0));
        arms.put("rtn2", arm("rtn", 2, 0, 1));
        arms.put("rtn4", arm("rtn", 4, 0, 1));
        arms.put("kivi2", arm("kivi", 2, 0, 1));
        arms.put("sas2", arm("sas", 2, 1, 1));
        arms.put("prq2x2", arm("prq", 2, 2, 1));
        for (var e : arms.entrySet()) {
            RolloutReport r = Rollout.compare(model, bf16, Rollout.run(model, FRAMES, e.getValue(), 0));
            REPORTS.put(e.getKey(), r);
            System.out.printf(Locale.ROOT, "%-11s bits/value %.3f  mean %.2f dB  chunks 9-12 %.2f dB  20-23 %.2f dB%n",
                    e.getKey(), r.candidateBitsPerValue(), r.meanPsnr(), r.psnr(9, 13), r.psnr(20, 24));
        }
    }

    @Test
    void bf16AgainstBf16IsInfinite() {
        RolloutReport r = Rollout.compare(model, FRAMES, RolloutArm.bf16(), RolloutArm.bf16(), 0);
        for (double p : r.chunkPsnr()) {
            assertEquals(Double.POSITIVE_INFINITY, p);
        }
        assertEquals(Double.POSITIVE_INFINITY, r.meanPsnr());
        assertTrue(r.toJson().contains("\"inf\""));
    }

    @Test
    void sameSeedSameBitsOtherSeedOtherVideo() {
        RolloutArm prq = arm("prq", 2, 1, 0);
        RolloutResult a = Rollout.run(model, 24, prq, 5), b = Rollout.run(model, 24, prq, 5);
        for (int i = 0; i < 24; i++) {
            assertArrayEquals(a.latents().get(i), b.latents().get(i), "frame " + i);
        }
        assertEquals(a.cacheBytes(), b.cacheBytes());
        RolloutResult c = Rollout.run(model, 24, prq, 6);
        assertFalse(Arrays.equals(a.latents().get(23), c.latents().get(23)), "the span seeds reach the video");
        // The model itself is a function of its seed.
        TinyVideoModel other = new TinyVideoModel(TinyModelConfig.defaults().withSeed(1));
        assertFalse(Arrays.equals(model.initialFrame(), other.initialFrame()));
    }

    @Test
    void chunksBeforeTheFirstSpanAreExact() {
        // With sink 1 and spans of 8 chunks, the first span (chunks 1-8) is quantized once chunk 8
        // completes: chunks 0-8 were generated from a BF16 cache only.
        RolloutReport r = REPORTS.get("rtn2");
        for (int c = 0; c <= 8; c++) {
            assertEquals(Double.POSITIVE_INFINITY, r.chunkPsnr(c), "chunk " + c);
        }
        assertTrue(Double.isFinite(r.chunkPsnr(9)));
    }

    @Test
    void errorAccumulatesOverTime() {
        for (String k : new String[] {"rtn2", "kivi2", "sas2", "prq2x2"}) {
            RolloutReport r = REPORTS.get(k);
            assertTrue(r.psnr(9, 13) > r.psnr(20, 24) + 4, k + ": early " + r.psnr(9, 13) + " late " + r.psnr(20, 24));
        }
    }

    @Test
    void aBf16SinkChunkIsWorthMuch() {
        // Both quantize from chunk 9 on (sink 0: span 0-7 after chunk 7; sink 1: span 1-8 after chunk 8).
        double with = REPORTS.get("rtn2").psnr(9, 13), without = REPORTS.get("rtn2-sink0").psnr(9, 13);
        assertTrue(with > without + 5, "sink " + with + " vs no sink " + without);
    }

    @Test
    void methodsDegradeInTheExpectedOrder() {
        double rtn2 = REPORTS.get("rtn2").meanPsnr(), rtn4 = REPORTS.get("rtn4").meanPsnr();
        double kivi = REPORTS.get("kivi2").meanPsnr(), sas = REPORTS.get("sas2").meanPsnr();
        double prq = REPORTS.get("prq2x2").meanPsnr();
        assertTrue(rtn4 > rtn2 + 8, "int4 " + rtn4 + " vs int2 " + rtn2);
        assertTrue(sas > rtn2 + 8, "sas " + sas + " vs rtn " + rtn2);
        assertTrue(kivi > rtn2 + 8, "kivi " + kivi + " vs rtn " + rtn2);
        // Against KIVI the tiny model shows a small edge only: the best of SAS and PRQ(2) led KIVI
        // by 1.7 dB here and by 2.4 to 5.7 dB over four model seeds (README); SAS and PRQ(2) swap
        // places with the k-means seed, so neither is asserted above the other.
        assertTrue(Math.max(sas, prq) > kivi, "sas " + sas + ", prq(2) " + prq + " vs kivi " + kivi);
        // The error reduction that matters at INT2: SAS and PRQ against plain RTN.
        assertTrue(prq > rtn2 + 8, "prq(2) " + prq + " vs rtn " + rtn2);
    }

    @Test
    void reportsAreConsistent() {
        RolloutReport r = REPORTS.get("sas2");
        assertEquals(24, r.chunks());
        assertEquals(r.chunkPsnr().length + 1, r.toCsv().split("\n").length);
        assertTrue(r.toTable().contains("mean PSNR"));
        assertTrue(r.candidateBytes() < r.referenceBytes());
        assertEquals(16.0, r.referenceBitsPerValue(), 0);
        assertThrows(IllegalArgumentException.class, () -> r.psnr(3, 3));
        assertThrows(IllegalArgumentException.class, () -> RolloutRequest.model("sora"));
        assertEquals(TinyModelConfig.defaults(), RolloutRequest.model("TINY"));
    }

    @Test
    void crossBackendComparisonOfIdenticalBackendsIsExact() {
        RolloutRequest req = RolloutRequest.defaults().withFrames(20).withCompareBackend("cpu");
        RolloutOutcome o = req.run();
        assertEquals(3, o.reports().size());
        assertEquals(Double.POSITIVE_INFINITY, o.reports().get(2).meanPsnr());
        assertTrue(Double.isFinite(o.reports().get(0).meanPsnr()));
        assertTrue(o.toTable().contains("candidate"));
    }
}
