package dev.qvg.bench.limits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qvg.bench.BenchData;
import dev.qvg.bench.BenchShapes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The limit benchmarks do the work the report counts. */
class LimitBenchmarksTest {

    @Test
    void copyWithTwoThreadsCopiesEveryByte() throws Exception {
        MemoryCopyBenchmark b = new MemoryCopyBenchmark();
        b.threads = 2;
        b.setUp();
        float[] dst = b.copy();
        b.tearDown();
        assertEquals(MemoryCopyBenchmark.BYTES / Float.BYTES, dst.length);
        // The source holds i at index i: check both halves' ends and a middle.
        for (int i : new int[] {0, 1, dst.length / 2 - 1, dst.length / 2, dst.length - 1}) {
            assertEquals((float) i, dst[i], "index " + i);
        }
    }

    @Test
    void sgemmComputesTheDistanceProductOfTheKMeansShape() {
        SgemmBenchmark b = new SgemmBenchmark();
        b.S = 256;
        b.threads = 1;
        b.setUp();
        INDArray out = b.gemm();
        assertArrayEquals(new long[] {256, BenchShapes.K}, out.shape());
        int D = BenchShapes.D;
        float[] x = BenchData.videoLike(256, D, 1L);
        float[] c = BenchData.rowsOf(x, 256, D, BenchShapes.K, 2L);
        for (int[] rc : new int[][] {{0, 0}, {17, 200}, {255, 255}}) {
            double dot = 0;
            for (int d = 0; d < D; d++) {
                dot += (double) x[rc[0] * D + d] * c[rc[1] * D + d];
            }
            assertEquals(dot, out.getFloat(rc[0], rc[1]), 1e-3 * Math.max(1, Math.abs(dot)), "x" + rc[0] + " . c" + rc[1]);
        }
    }
}
