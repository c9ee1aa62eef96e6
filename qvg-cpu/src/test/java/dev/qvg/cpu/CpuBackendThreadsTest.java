package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The same bits for 1 and 4 worker threads, and the thread-count setting itself. */
class CpuBackendThreadsTest {

    private record Run(int[] ids, int[] changed, float[] centroids, byte[] codes, short[] scales, float[] deq) {
    }

    private static Run run(int threads, long gemmMinFlops) {
        Random r = new Random(2024);
        SliceBatch b = new SliceBatch(3, 1500, 128);
        float[] x = CpuBackendEqualityTest.gaussian(r, b.numel(), 1f);
        int K = 40;
        float[] c = CpuBackendEqualityTest.fromPoints(r, b, x, K);
        int[] ids = new int[b.rows()];
        Arrays.fill(ids, -1);
        int[] changed = new int[3];
        try (CpuBackend cpu = new CpuBackend(threads, gemmMinFlops)) {
            assertEquals(threads, cpu.threads());
            for (int it = 0; it < 4; it++) {
                cpu.assign(b, x, c, K, ids, changed, null);
                cpu.updateCentroids(b, x, ids, K, c, null);
            }
            cpu.subtractCentroids(b, x, ids, c, K);
            PackedBlocks p = cpu.quantizePack(x, b.rows(), b.dim(), new BlockQuantConfig(2, 64, true, ScalePrecision.BF16));
            float[] deq = new float[b.numel()];
            cpu.unpackDequant(p, deq);
            return new Run(ids, changed, c, p.codes(), p.scales(), deq);
        }
    }

    @Test
    void oneAndFourThreadsGiveIdenticalBitsOnBothAssignPaths() {
        Run reference = run(1, Long.MAX_VALUE);
        for (Run other : new Run[] {run(4, Long.MAX_VALUE), run(1, 0), run(4, 0)}) {
            assertArrayEquals(reference.ids(), other.ids());
            assertArrayEquals(reference.changed(), other.changed());
            assertArrayEquals(reference.centroids(), other.centroids());
            assertArrayEquals(reference.codes(), other.codes());
            assertArrayEquals(reference.scales(), other.scales());
            assertArrayEquals(reference.deq(), other.deq());
        }
        assertTrue(reference.changed()[0] < 1500, "k-means settled: fewer changes than rows after 4 iterations");
    }

    @Test
    void nd4jCanBeSwitchedOffByProperty() {
        String old = System.getProperty(Nd4jSupport.ENABLED_PROPERTY);
        try {
            System.setProperty(Nd4jSupport.ENABLED_PROPERTY, "false");
            try (CpuBackend cpu = new CpuBackend(2)) {
                assertFalse(cpu.usesGemm(8192, 128, 256));
            }
        } finally {
            if (old == null) {
                System.clearProperty(Nd4jSupport.ENABLED_PROPERTY);
            } else {
                System.setProperty(Nd4jSupport.ENABLED_PROPERTY, old);
            }
        }
    }

    @Test
    void threadCountComesFromTheSystemProperty() {
        String old = System.getProperty(WorkerPool.THREADS_PROPERTY);
        try {
            System.setProperty(WorkerPool.THREADS_PROPERTY, "3");
            try (CpuBackend cpu = new CpuBackend()) {
                assertEquals(3, cpu.threads());
            }
            System.setProperty(WorkerPool.THREADS_PROPERTY, "zero");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuBackend::new);
            assertEquals("qvg.cpu.threads: must be a positive integer, got 'zero'", e.getMessage());
            System.setProperty(WorkerPool.THREADS_PROPERTY, "0");
            assertThrows(IllegalArgumentException.class, CpuBackend::new);
            System.clearProperty(WorkerPool.THREADS_PROPERTY);
            try (CpuBackend cpu = new CpuBackend()) {
                assertEquals(Runtime.getRuntime().availableProcessors(), cpu.threads());
            }
        } finally {
            if (old == null) {
                System.clearProperty(WorkerPool.THREADS_PROPERTY);
            } else {
                System.setProperty(WorkerPool.THREADS_PROPERTY, old);
            }
        }
    }
}
