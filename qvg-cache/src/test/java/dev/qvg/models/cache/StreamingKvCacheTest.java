package dev.qvg.models.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.models.testing.Data;
import dev.qvg.models.testing.HandRtnQuantizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingKvCacheTest {

    // 1 batch x 2 heads, D = 64, 4 tokens per chunk, 12 chunks.
    static final CacheShape SHAPE = new CacheShape(1, 2, 64, 4, 12);
    static final int T = 4;
    /** The published INT2 settings; every provider named, as this module's class path has none. */
    static final QuantizerConfig INT2 = QuantizerConfig.builder().method("rtn").backend("hand").clusterer("none")
            .smoother("none").residual("none").build();

    private static KvTensor chunkData(int chunks, long seed) {
        return Data.keys(new KvShape(1, 2, chunks * T, 64), seed);
    }

    private static StreamingKvCache rtnCache(CachePolicy policy, HandRtnQuantizer q) {
        return new StreamingKvCache(SHAPE, policy, SpanQuantizer.fixed(q), KvRole.KEY, 0, 7);
    }

    @Test
    void statesFollowThePolicy() {
        // qf 2, keep 1 recent, 1 sink: span j covers chunks [1 + 2j, 3 + 2j) and is due when
        // completed >= 3 + 2j + 1.
        HandRtnQuantizer q = new HandRtnQuantizer(INT2);
        StreamingKvCache c = rtnCache(new CachePolicy(2, 1, 1), q);
        assertEquals(List.of(), c.spans());
        String[] expected = {
            "B...........",
            "BB..........",
            "BBB.........",
            "BQQB........",
            "BQQBB.......",
            "BQQQQB......",
        };
        for (int i = 0; i < expected.length; i++) {
            c.append(i * T, chunkData(1, i));
            assertEquals(expected[i], render(c), "after chunk " + i);
        }
        assertEquals(2, q.calls);
        assertEquals(2, c.spans().size());
        assertEquals(1, c.spans().get(0).startChunk());
        assertEquals(3, c.spans().get(0).endChunk());
    }

    static String render(StreamingKvCache c) {
        StringBuilder sb = new StringBuilder();
        for (ChunkState s : c.states()) {
            sb.append(switch (s) {
                case EMPTY -> '.';
                case BF16 -> 'B';
                case QUANTIZED -> 'Q';
                case EVICTED -> 'x';
            });
        }
        return sb.toString();
    }

    @Test
    void writeWithoutCommitNeverQuantizes() {
        HandRtnQuantizer q = new HandRtnQuantizer(INT2);
        StreamingKvCache c = rtnCache(new CachePolicy(1, 0, 0), q);
        c.write(0, chunkData(1, 1));
        c.write(0, chunkData(1, 2)); // a chunk being denoised is rewritten
        assertEquals("B...........", render(c));
        assertEquals(0, q.calls);
        c.commit(T);
        assertEquals("Q...........", render(c));
        assertThrows(IllegalStateException.class, () -> c.write(0, chunkData(1, 3)));
    }

    @Test
    void exactBytesAtEveryStep() {
        HandRtnQuantizer q = new HandRtnQuantizer(INT2);
        StreamingKvCache c = rtnCache(new CachePolicy(2, 0, 1), q);
        long bf16Chunk = 2L * 2 * T * 64; // 2 bytes x 2 slices x 4 tokens x 64
        // A span of 2 chunks = 8 tokens per slice: 16 rows of 64 values, 2 bits -> 16 bytes a row;
        // one bf16 scale per row (block 64) -> 2 bytes a row.
        long span = 16 * 16 + 16 * 2;
        assertEquals(0, c.bytes());
        assertNull(c.budget());
        c.append(0, chunkData(1, 0));
        assertEquals(bf16Chunk, c.bytes());
        c.append(T, chunkData(1, 1));
        assertEquals(2 * bf16Chunk, c.bytes());
        c.append(2 * T, chunkData(1, 2)); // span [1, 3) due
        assertEquals(bf16Chunk + span, c.bytes());
        assertEquals(c.bytes(), c.budget().totalBytes());
        assertEquals(3L * 2 * T * 64, c.budget().values());
        c.append(3 * T, chunkData(2, 3)); // two chunks at once: span [3, 5) due
        assertEquals(bf16Chunk + 2 * span, c.bytes());
        c.evict(T, 3 * T);
        assertEquals(bf16Chunk + span, c.bytes());
    }

    @Test
    void readsBf16ExactlyAndQuantizedAsTheQuantizerDecodes() {
        HandRtnQuantizer q = new HandRtnQuantizer(INT2);
        StreamingKvCache c = rtnCache(new CachePolicy(2, 0, 1), q);
        KvTensor all = chunkData(5, 99);
        c.append(0, all);
        assertEquals("BQQQQ.......", render(c));
        KvTensor back = c.read(0, 5 * T);
        // Chunk 0 (sink): the bf16 rounding of what was written.
        for (int h = 0; h < 2; h++) {
            for (int s = 0; s < T; s++) {
                for (int d = 0; d < 64; d++) {
                    assertEquals(Bf16.round(all.get(0, h, s, d)), back.get(0, h, s, d));
                }
            }
        }
        // Chunks 1-2: exactly the quantizer's reconstruction of the bf16 values of the span.
        StreamingKvCache.Span sp = c.spans().get(0);
        KvTensor dec = q.dequantize(sp.data());
        for (int h = 0; h < 2; h++) {
            for (int s = 0; s < 2 * T; s++) {
                for (int d = 0; d < 64; d++) {
                    assertEquals(dec.get(0, h, s, d), back.get(0, h, T + s, d));
                }
            }
        }
        // The span's input was the bf16 values: requantizing them gives the same codes.
        KvTensor bf16Span = all.tokenRange(T, 3 * T).copy();
        Bf16.roundInPlace(bf16Span.data());
        assertArrayEquals(q.quantize(bf16Span, KvRole.KEY).blocks().codes(), sp.data().blocks().codes());
        // Unaligned sub-ranges agree with the full read.
        KvTensor part = c.read(3, 11);
        assertEquals(back.tokenRange(3, 11).shape(), part.shape());
        assertArrayEquals(back.tokenRange(3, 11).data(), part.data());
        // Quantization changed something (not a pass-through).
        assertNotEquals(Bf16.round(all.get(0, 0, T, 0)), back.get(0, 0, T, 0));
    }

    @Test
    void readIntoPlacesEachSliceAtItsStrideAndTouchesNothingElse() {
        HandRtnQuantizer q = new HandRtnQuantizer(INT2);
        StreamingKvCache c = rtnCache(new CachePolicy(2, 0, 1), q);
        c.append(0, chunkData(6, 42));
        assertEquals("BQQQQB......", render(c));
        int D = 64, slices = 2;
        // Ranges that cover whole spans (decoded in place), cut spans, and bf16 chunks.
        int[][] ranges = {{0, 6 * T}, {3, 11}, {T, 3 * T}, {2 * T + 1, 6 * T - 1}, {5 * T, 6 * T}};
        for (int[] r : ranges) {
            int len = r[1] - r[0];
            float[] expected = c.read(r[0], r[1]).data();
            // Two ranges side by side in one buffer per slice, with a gap, as a concatenation would.
            int offset = 5, stride = 2 * len * D + 3;
            float[] out = new float[offset + slices * stride];
            Arrays.fill(out, -7f);
            c.readInto(r[0], r[1], out, offset, stride);
            c.readInto(r[0], r[1], out, offset + len * D, stride);
            for (int i = 0; i < out.length; i++) {
                int rel = i - offset, slice = Math.floorDiv(rel, stride), within = Math.floorMod(rel, stride);
                boolean written = rel >= 0 && slice < slices && within < 2 * len * D;
                float want = written ? expected[slice * len * D + within % (len * D)] : -7f;
                assertEquals(want, out[i], "range " + r[0] + ".." + r[1] + ", index " + i);
            }
        }
        // Checked before anything is written: a failed call leaves the buffer as it was.
        float[] tooSmall = new float[2 * T * D];
        Arrays.fill(tooSmall, 3f);
        assertMessage(() -> c.readInto(0, T, tooSmall, 1, T * D), "expected at least");
        assertMessage(() -> c.readInto(0, T, tooSmall, 0, T * D - 1), "slice stride");
        c.evict(0, T);
        assertThrows(EvictedRangeException.class, () -> c.readInto(0, 2 * T, new float[4 * T * D], 0, 2 * T * D));
        assertMessage(() -> c.readInto(0, 7 * T * 2, tooSmall, 0, T * D), "outside");
        for (float v : tooSmall) {
            assertEquals(3f, v);
        }
    }

    @Test
    void acceptsBshdInput() {
        StreamingKvCache c = new StreamingKvCache(SHAPE, CachePolicy.reference(), null, KvRole.VALUE, 0, 0);
        KvTensor bhsd = chunkData(1, 5);
        c.append(0, bhsd.toLayout(Layout.BSHD));
        KvTensor back = c.read(0, T);
        for (int i = 0; i < back.data().length; i++) {
            assertEquals(Bf16.round(bhsd.data()[i]), back.data()[i]);
        }
    }

    @Test
    void evictionRulesAndFailures() {
        HandRtnQuantizer q = new HandRtnQuantizer(INT2);
        StreamingKvCache c = rtnCache(new CachePolicy(2, 0, 1), q);
        c.append(0, chunkData(6, 1));
        assertEquals("BQQQQB......", render(c));
        // A range covering half of span [1, 3) keeps the span whole and readable.
        c.evict(0, 2 * T);
        assertEquals("xQQQQB......", render(c));
        c.read(T, 3 * T);
        EvictedRangeException e = assertThrows(EvictedRangeException.class, () -> c.read(2, 6));
        assertEquals(2, e.fromToken());
        assertEquals(4, e.toToken());
        assertTrue(e.getMessage().contains("evicted"), e.getMessage());
        // Covering it all frees it.
        c.evict(0, 3 * T);
        assertEquals("xxxQQB......", render(c));
        assertThrows(EvictedRangeException.class, () -> c.read(T, T + 1));
        assertEquals(1, c.spans().size());
        // Never written.
        IllegalStateException empty = assertThrows(IllegalStateException.class, () -> c.read(6 * T, 7 * T));
        assertTrue(empty.getMessage().contains("never written"), empty.getMessage());
    }

    @Test
    void evictedChunksSplitALaterSpan() {
        // Sliding window before quantization: chunks 1-2 evicted while BF16; span [1, 5) then
        // quantizes only chunks 3-4, seeded apart from an unsplit span.
        HandRtnQuantizer q = new HandRtnQuantizer(INT2);
        StreamingKvCache c = rtnCache(new CachePolicy(4, 0, 1), q);
        c.append(0, chunkData(3, 1));
        c.evict(T, 3 * T);
        c.append(3 * T, chunkData(2, 2));
        assertEquals("BxxQQ.......", render(c));
        assertEquals(3, c.spans().get(0).startChunk());
        assertEquals(5, c.spans().get(0).endChunk());
    }

    @Test
    void badArgumentsAreNamed() {
        StreamingKvCache c = new StreamingKvCache(SHAPE, CachePolicy.reference(), null, KvRole.KEY, 3, 0);
        assertMessage(() -> c.write(2, chunkData(1, 0)), "chunk boundary");
        assertMessage(() -> c.write(0, Data.keys(new KvShape(1, 2, 3, 64), 0)), "whole chunks");
        assertMessage(() -> c.write(0, Data.keys(new KvShape(1, 3, 4, 64), 0)), "does not match");
        assertMessage(() -> c.write(11 * T, chunkData(2, 0)), "capacity");
        IllegalStateException unwritten = assertThrows(IllegalStateException.class, () -> c.commit(T));
        assertTrue(unwritten.getMessage().contains("never written"), unwritten.getMessage());
        assertMessage(() -> c.read(0, 0), "read range");
        assertMessage(() -> c.evict(1, 4), "chunk-aligned");
        float[] nan = new float[2 * T * 64];
        nan[5] = Float.NaN;
        assertMessage(() -> c.write(0, KvTensor.wrap(new KvShape(1, 2, T, 64), nan)), "non-finite");
        assertMessage(() -> new CachePolicy(0, 0, 0), "quantFactor");
        assertMessage(() -> new CacheShape(1, 1, 64, 0, 1), "tokensPerChunk");
    }

    private static void assertMessage(Runnable r, String part) {
        Exception e = assertThrows(IllegalArgumentException.class, r::run, part);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void bf16CacheNeverQuantizes() {
        StreamingKvCache c = new StreamingKvCache(SHAPE, new CachePolicy(1, 0, 0), null, KvRole.KEY, 0, 0);
        c.append(0, chunkData(12, 3));
        assertEquals("BBBBBBBBBBBB", render(c));
        assertEquals(12L * 2 * 2 * T * 64, c.bytes());
        c.clear();
        assertEquals("............", render(c));
        assertEquals(0, c.bytes());
    }
}
