package dev.qvg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue 4's targets on the fixture: k-means at S=8192 interpolated between 10 ms (4096) and 40 ms
 * (16384) at 2 threads is 20 ms, x1.21 FAISS's 16.5 ms; unpack+dequant's worst size at 2 threads is 83.6% of the copy
 * (met), INT4 quantize+pack's 4.4% (not met). The fixture's quantized cache read takes 2 ms and
 * 2 MiB of heap against 1 ms and 1 MiB for BF16. Streamed attention at S=4096: 30 ms and a measured
 * 3 MiB peak (JMH sums the per-iteration counter to 9 MiB over 3 iterations) against 20 ms for dequantize-then-attend, which must hold float K and V
 * (2 x 4096 x 128 x 4 B = 4 MiB) and the 512 x 4096 score matrix (8 MiB): at least 12 MiB.
 */
class TargetsTest {

    private final String md = Targets.render(Analysis.of(FixtureResults.results()));

    @Test
    void kmeansIsComparedWithFaissAtTheReferenceShape() {
        assertTrue(md.contains("| 20.00 ms (power-law interpolation between the measured sizes) | not met (x1.21 "
                + "FAISS's time) |"), md);
    }

    @Test
    void blockKernelsAreComparedWithHalfTheCopyBandwidth() {
        assertTrue(md.contains("unpack + dequant (cpu, 2 threads) at 50% of copy bandwidth or more at every measured S | "
                + "83.6% (S=4096) to 83.6% (S=4096) | met |"), md);
        assertTrue(md.contains("block quantize + pack (cpu, 2 threads) at 50% of copy bandwidth or more at every measured S | "
                + "4.4% (S=4096) to 4.4% (S=4096) | not met at S=4096 |"), md);
    }

    @Test
    void aKernelFasterThanTheCopyAtTheLargestSizeVoidsTheVerdict() {
        assertEquals("met", Targets.codecVerdict(0.5, 4096, 0.9));
        assertEquals("not met at S=65536", Targets.codecVerdict(0.49, 65536, 0.49));
        assertTrue(Targets.codecVerdict(0.9, 65536, 1.2).startsWith("unverified"));
        assertTrue(Targets.codecVerdict(0.3, 4096, 1.01).startsWith("unverified"));
    }

    @Test
    void streamedAttentionShowsItsPeakAgainstTheMaterialisedHistory() {
        assertTrue(md.contains("| attention over quantized KV: span-streamed / dequantize-then-attend | cpu | 4096 | 2 | "
                + "streamed 30.0 ms | dequantize-then-attend 20.0 ms | 1.50 | n/a / n/a | 3.0 MiB / ≥ 12.0 MiB |"), md);
    }

    @Test
    void quantizedReadsAreSetAgainstBf16Reads() {
        assertTrue(md.contains("| cache read: quantized / BF16 history | cpu | 4096 | 2 | quantized 2.00 ms | BF16 1.00 ms "
                + "| 2.00 | 2.0 MiB / 1.0 MiB | n/a / n/a |"), md);
    }
}
