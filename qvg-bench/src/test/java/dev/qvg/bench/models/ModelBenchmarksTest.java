package dev.qvg.bench.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.bench.BenchData;
import dev.qvg.bench.BenchShapes;
import dev.qvg.bench.BenchBackends;
import dev.qvg.models.cache.ChunkState;
import org.junit.jupiter.api.Test;

/**
 * The qvg-models benchmarks read what they claim: a history of quantized spans (every chunk
 * QUANTIZED) that reconstructs the data at INT2 accuracy, and attention over it close to
 * attention over the BF16 history.
 */
class ModelBenchmarksTest {

    private static final int S = 2 * BenchShapes.HISTORY_SPAN;

    @Test
    void theQuantizedHistoryIsFullyQuantizedAndReadsBackTheData() {
        CacheReadBenchmark b = new CacheReadBenchmark();
        b.backend = "cpu";
        b.S = S;
        b.threads = 2;
        b.setUp();
        KvTensor q = b.readQuantized();
        KvTensor bf = b.readBf16();
        float[] into = b.readQuantizedInto().clone();
        float[] again = b.readQuantizedInto();
        b.tearDown();
        assertArrayEquals(q.data(), into, "readInto gives the read's values");
        assertArrayEquals(q.data(), again, "and the same again into the same buffer");
        assertArrayEquals(new int[] {1, 1, S, BenchShapes.D},
                new int[] {q.shape().batch(), q.shape().heads(), q.shape().tokens(), q.shape().headDim()});
        float[] data = BenchData.videoLike(S, BenchShapes.D, 51L);
        double bfErr = ErrorMetrics.compare(data, bf.data(), BenchShapes.D).relL2();
        double qErr = ErrorMetrics.compare(data, q.data(), BenchShapes.D).relL2();
        // bf16 keeps 8 significand bits: rel L2 about 2^-9 (0.0017 measured).
        assertTrue(bfErr < 0.004, "BF16 history: rel L2 " + bfErr);
        // INT2 after one SAS stage (2 k-means iterations) on prototype-plus-noise data: 0.059
        // measured; RTN INT2 without smoothing is several times worse on such data.
        assertTrue(qErr > bfErr && qErr < 0.15, "quantized history: rel L2 " + qErr);
    }

    @Test
    void historyFixtureQuantizesEveryChunk() {
        try (var backend = BenchBackends.create("cpu", 1)) {
            HistoryFixture h = HistoryFixture.build(backend, S, dev.qvg.api.tensor.KvRole.KEY, 5L);
            for (int c = 0; c < S / BenchShapes.HISTORY_CHUNK; c++) {
                assertEquals(ChunkState.QUANTIZED, h.quantized.state(c), "chunk " + c);
                assertEquals(ChunkState.BF16, h.bf16.state(c), "chunk " + c);
            }
            assertEquals(S / BenchShapes.HISTORY_SPAN, h.quantized.spans().size());
        }
        try (var backend = BenchBackends.create("cpu", 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HistoryFixture.build(backend, 1000, dev.qvg.api.tensor.KvRole.KEY, 5L));
            assertTrue(e.getMessage().contains("S:"), e.getMessage());
        }
    }

    @Test
    void attentionOverQuantizedKvIsCloseToAttentionOverBf16() {
        AttentionBenchmark b = new AttentionBenchmark();
        b.backend = "cpu";
        b.S = S;
        b.threads = 2;
        b.setUp();
        KvTensor q = b.attendQuantized();
        AttentionBenchmark.Peak peak = new AttentionBenchmark.Peak();
        peak.reset();
        KvTensor streamed = b.attendQuantizedStreamed(peak);
        KvTensor bf = b.attendBf16();
        b.tearDown();
        // Streaming changes only the order of float32 sums: the same output within round-off.
        double streamVsWhole = ErrorMetrics.compare(q.data(), streamed.data(), BenchShapes.D).relL2();
        assertTrue(streamVsWhole < 1e-5, "streamed vs dequantize-then-attend rel L2: " + streamVsWhole);
        assertTrue(peak.peakWorkingBytes > 0, "the peak counter is filled");
        assertEquals(BenchShapes.ATTENTION_QUERIES * BenchShapes.D, q.data().length);
        double err = ErrorMetrics.compare(bf.data(), q.data(), BenchShapes.D).relL2();
        // 0.062 measured: the error of the quantized history carries through softmax and P V.
        assertTrue(err > 0 && err < 0.15, "attention output rel L2, quantized vs BF16: " + err);
    }

    @Test
    void streamedPeakDoesNotGrowWithTheHistory() {
        long[] peaks = new long[2];
        int[] sizes = {S, 2 * S};
        for (int i = 0; i < 2; i++) {
            AttentionBenchmark b = new AttentionBenchmark();
            b.backend = "cpu";
            b.S = sizes[i];
            b.threads = 1;
            b.setUp();
            AttentionBenchmark.Peak peak = new AttentionBenchmark.Peak();
            peak.reset();
            b.attendQuantizedStreamed(peak);
            b.tearDown();
            peaks[i] = peak.peakWorkingBytes;
        }
        // One span's buffers plus the accumulators, whatever the history's length.
        assertEquals(peaks[0], peaks[1], "peak working bytes at " + sizes[0] + " and " + sizes[1] + " tokens");
    }
}
