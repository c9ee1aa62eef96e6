package dev.qvg.models.tiny;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.models.cache.CachePolicy;
import org.junit.jupiter.api.Test;

/** Sliding-window generation: eviction inside a real generation loop. */
class WindowedRolloutTest {

    static final TinyVideoModel MODEL = new TinyVideoModel(TinyModelConfig.defaults());
    static final int FRAMES = 32; // 16 chunks

    @Test
    void aWindowCoveringEverythingChangesNothing() {
        RolloutResult full = Rollout.run(MODEL, FRAMES, RolloutArm.bf16(), 0);
        RolloutResult windowed = Rollout.run(MODEL, FRAMES, RolloutArm.bf16(), 0, 1, 16);
        for (int i = 0; i < FRAMES; i++) {
            assertArrayEquals(full.latents().get(i), windowed.latents().get(i), "frame " + i);
        }
    }

    @Test
    void aShortWindowBoundsTheCacheAndChangesTheVideo() {
        RolloutResult full = Rollout.run(MODEL, FRAMES, RolloutArm.bf16(), 0);
        RolloutResult windowed = Rollout.run(MODEL, FRAMES, RolloutArm.bf16(), 0, 1, 4);
        TinyModelConfig c = MODEL.config();
        long chunkBytes = 2L * c.heads() * c.tokensPerChunk() * c.headDim();
        // After the last step (chunk 15) the cache keeps what chunk 16 would attend to: the sink
        // and chunks 13..15, K and V of every layer.
        assertEquals(4 * chunkBytes * 2 * c.layers(), windowed.cacheBytes());
        assertEquals(16 * chunkBytes * 2 * c.layers(), full.cacheBytes());
        RolloutReport r = Rollout.compare(MODEL, full, windowed);
        assertTrue(Double.isInfinite(r.chunkPsnr(3)), "chunks inside the window are unchanged");
        assertTrue(Double.isFinite(r.chunkPsnr(15)), "a shorter context changes later chunks");
    }

    @Test
    void quantizedSpansAreEvictedOnceTheWindowLeavesThemWhole() {
        RolloutArm rtn = RolloutArm.of(RolloutRequest.tinyQuantizer("rtn"), new CachePolicy(2, 0, 1));
        RolloutResult r = Rollout.run(MODEL, FRAMES, rtn, 0, 1, 5);
        TinyModelConfig c = MODEL.config();
        long chunkBytes = 2L * c.heads() * c.tokensPerChunk() * c.headDim();
        // At the end: chunk 0 (sink, BF16), spans [11, 13) and [13, 15) quantized, chunk 15 BF16
        // (its span is not full). Chunks [1, 12) were evicted: span [11, 13) straddles the window
        // start (12) and is kept whole; the spans before it are gone.
        long spanBytes = 2L * c.heads() * c.tokensPerChunk() * (c.headDim() * 2 / 8 + 2); // codes + 1 bf16 scale a row
        assertEquals((2 * chunkBytes + 2 * spanBytes) * 2 * c.layers(), r.cacheBytes());
        assertThrows(IllegalArgumentException.class, () -> MODEL.generate(4, null, 1, 0));
    }
}
