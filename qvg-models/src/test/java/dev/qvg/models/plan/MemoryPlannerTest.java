package dev.qvg.models.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.config.ModelConfig;
import dev.qvg.models.config.ModelConfigs;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {

    private static final double MIB = 1024.0 * 1024;

    @Test
    void tableShowsTheFigures() {
        for (ModelConfig m : ModelConfigs.all()) {
            PlanReport r = MemoryPlanner.plan(PlanRequest.builder(m).gpuMemoryGiB(80).build());
            String t = r.toTable();
            System.out.println(t);
            assertTrue(t.contains(m.displayName()), t);
            assertTrue(t.contains(String.format(java.util.Locale.ROOT, "%.2fx", r.compressionRatio())), t);
            assertTrue(t.contains(String.format(java.util.Locale.ROOT, "%.2f", r.quantizedBytesPerLayer() / MIB)), t);
            assertTrue(t.contains("fits " + r.maxFramesQuantized() + " latent frames"), t);
        }
    }

    @Test
    void bf16ColumnReproducesTheReadme() {
        // README "Per Layer KV" BF16 column (MiB), and totals.
        assertEquals(464.00, bf16PerLayerMiB(ModelConfigs.LONGCAT_VIDEO), 0.005);
        assertEquals(990.00, bf16PerLayerMiB(ModelConfigs.HY_WORLDPLAY), 0.005);
        assertEquals(883.59, bf16PerLayerMiB(ModelConfigs.LINGBOT_WORLD), 0.005);
        // Self-Forcing: whole chunks give 1535.625 against the README's 1535.76 (see ModelConfigs).
        assertEquals(1535.76, bf16PerLayerMiB(ModelConfigs.SELF_FORCING), 0.15);
        assertEquals(22272.00, MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.LONGCAT_VIDEO).build())
                .bf16BytesTotal() / MIB, 0.005);
        // The README's total is its rounded per-layer figure (883.59) times 40; ours is 883.59375 x 40.
        assertEquals(35343.60, MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.LINGBOT_WORLD).build())
                .bf16BytesTotal() / MIB, 0.2);
    }

    private static double bf16PerLayerMiB(ModelConfig m) {
        return MemoryPlanner.plan(PlanRequest.builder(m).build()).bf16BytesPerLayer() / MIB;
    }

    @Test
    void referenceInt2RatiosLandInTheReadmeRange() {
        for (ModelConfig m : ModelConfigs.all()) {
            double ratio = MemoryPlanner.plan(PlanRequest.builder(m).build()).compressionRatio();
            assertTrue(ratio >= 6.2 && ratio <= 7.0, m.name() + " ratio " + ratio);
        }
    }

    @Test
    void selfForcingByHand() {
        // 168 frames x 1560 tokens = 262,080 tokens; chunks of 3 frames (4680 tokens); qf 8 -> spans of
        // 37,440 tokens; 56 chunks -> 7 spans, nothing left in BF16.
        // One span, one head, K: codes 37,440 x 128 x 2 bits; scales 37,440 x 2 blocks x 16 bits;
        // ids 37,440 x 8 bits; centroids 256 x 128 x 16 bits.
        long S = 37_440, D = 128;
        long perHeadRole = S * D * 2 + S * 2 * 16 + S * 8 + 256 * D * 16;
        long perLayerBits = perHeadRole * 2 /* K, V */ * 12 /* heads */ * 7 /* spans */;
        PlanReport r = MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.SELF_FORCING).build());
        assertEquals(7, r.quantizedSpans());
        assertEquals(0, r.bf16Tokens());
        assertEquals(perLayerBits, r.perLayer().totalBits());
        assertEquals(perLayerBits * 30, r.total().totalBits());
        double bitsPerValue = 2 + 16.0 / 64 + 8.0 / 128 + 256.0 * 16 / S;
        assertEquals(16 / bitsPerValue, r.compressionRatio(), 1e-9);
    }

    @Test
    void sinkAndRecentChunksStayBf16() {
        // Self-Forcing, 30 frames = 10 chunks; sink 1, recent 1, qf 4: eligible = 10 - 1 - 1 = 8 -> 2 spans
        // (chunks 1..8); chunks 0 and 9 BF16.
        PlanReport r = MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.SELF_FORCING).frames(30).quantFactor(4)
                .sinkChunks(1).recentChunks(1).build());
        assertEquals(2, r.quantizedSpans());
        assertEquals(2 * 4680, r.bf16Tokens());
        assertEquals(8 * 4680, r.quantizedTokens());
        long S = 4 * 4680, D = 128;
        long spanBits = (S * D * 2 + S * 2 * 16 + S * 8 + 256 * D * 16) * 2 * 12;
        long bf16Bits = 2L * 4680 * 2 * 1536 * 16;
        assertEquals(2 * spanBits + bf16Bits, r.perLayer().totalBits());
    }

    @Test
    void partialSpanAndChunkInProgressStayBf16() {
        // HY-WorldPlay, 23 frames: 5 complete chunks of 4 frames + 3 frames in progress; qf 8 -> no span.
        PlanReport r = MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.HY_WORLDPLAY).frames(23).build());
        assertEquals(5, r.completeChunks());
        assertEquals(0, r.quantizedSpans());
        assertEquals(1.0, r.compressionRatio(), 0);
        assertEquals(r.bf16BytesPerLayer(), r.quantizedBytesPerLayer());
    }

    @Test
    void secondsRoundUpToLatentFrames() {
        // Self-Forcing at 16 fps, stride 4: 10 s = 160 video frames -> 1 + ceil(159 / 4) = 41 latent frames.
        PlanRequest r = PlanRequest.builder(ModelConfigs.SELF_FORCING).seconds(10).build();
        assertEquals(41, r.latentFrames());
        assertEquals(41L * 1560, r.tokens());
        assertThrows(IllegalArgumentException.class,
                () -> PlanRequest.builder(ModelConfigs.SELF_FORCING).seconds(10).frames(5).build());
    }

    @Test
    void longestVideoFitsAndTheNextFrameDoesNot() {
        ModelConfig m = ModelConfigs.SELF_FORCING;
        PlanReport r = MemoryPlanner.plan(PlanRequest.builder(m).gpuMemoryGiB(24).build());
        long free = (long) (24 * 1024.0 * 1024 * 1024) - m.weightBytes();
        // BF16 is linear: frames = free / bytes per frame.
        long perFrame = 1560L * m.bf16BytesPerTokenPerLayer() * m.layers();
        assertEquals(free / perFrame, r.maxFramesBf16());
        assertTrue(r.maxFramesQuantized() > 5 * r.maxFramesBf16(), r.toTable());
        var span = MemoryPlanner.spanBudgetPerLayer(m, m.defaultPolicy(), BudgetSource.of(QuantizerConfig.publishedInt2()));
        long n = r.maxFramesQuantized();
        for (long f = 1; f <= n; f++) {
            assertTrue(MemoryPlanner.totalBytes(m, m.defaultPolicy(), span, f * 1560) <= free);
        }
        assertTrue(MemoryPlanner.totalBytes(m, m.defaultPolicy(), span, (n + 1) * 1560) > free);
    }

    @Test
    void weightsLargerThanTheGpu() {
        PlanReport r = MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.LINGBOT_WORLD).gpuMemoryGiB(16).build());
        assertEquals(-1, r.maxFramesBf16());
        assertTrue(r.toTable().contains("weights alone exceed"));
    }

    @Test
    void jsonCarriesTheNumbers() throws Exception {
        PlanReport r = MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.HY_WORLDPLAY).gpuMemoryGiB(24).build());
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertEquals("hy-worldplay", j.get("model").get("name").asText());
        assertEquals(r.quantizedBytesTotal(), j.get("quantized_bytes_total").asLong());
        assertEquals(r.compressionRatio(), j.get("compression_ratio").asDouble(), 1e-12);
        assertEquals(r.total().centroidBits(), j.get("bit_budget").get("centroid_bits").asLong());
        assertEquals(r.maxFramesQuantized(), j.get("fit").get("max_latent_frames_quantized").asLong());
    }

    @Test
    void policyOverridesAndValidation() {
        PlanRequest r = PlanRequest.builder(ModelConfigs.SELF_FORCING).sinkChunks(1).recentChunks(2).build();
        assertEquals(new CachePolicy(8, 2, 1), r.policy());
        assertThrows(IllegalArgumentException.class, () -> PlanRequest.builder(ModelConfigs.SELF_FORCING).frames(0));
        assertThrows(IllegalArgumentException.class,
                () -> PlanRequest.builder(ModelConfigs.SELF_FORCING).sinkChunks(-1).build());
        assertThrows(IllegalArgumentException.class, () -> MemoryPlanner.plan(PlanRequest.builder(ModelConfigs.SELF_FORCING)
                .quantizer(QuantizerConfig.builder().method("mystery").build()).build()));
    }
}
