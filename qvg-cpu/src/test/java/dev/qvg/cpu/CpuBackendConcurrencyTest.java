package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The provider lists {@code thread-safe}: concurrent calls on one instance give the reference's results. */
class CpuBackendConcurrencyTest {

    @Test
    void concurrentCallersOnOneInstanceEachGetTheReferenceResult() throws Exception {
        int callers = 4;
        SliceBatch b = new SliceBatch(2, 900, 64);
        List<float[]> xs = new ArrayList<>(), cs = new ArrayList<>();
        List<int[]> expected = new ArrayList<>();
        ReferenceBackend ref = new ReferenceBackend();
        for (int i = 0; i < callers; i++) {
            Random r = new Random(100 + i);
            float[] x = CpuBackendEqualityTest.gaussian(r, b.numel(), 1f);
            float[] c0 = CpuBackendEqualityTest.fromPoints(r, b, x, 48);
            float[] c = c0.clone();
            int[] ids = new int[b.rows()];
            for (int it = 0; it < 3; it++) {
                ref.assign(b, x, c, 48, ids, new int[2], null);
                ref.updateCentroids(b, x, ids, 48, c, null);
            }
            xs.add(x);
            cs.add(c0);
            expected.add(ids);
        }
        ExecutorService callersPool = Executors.newFixedThreadPool(callers);
        try (CpuBackend cpu = new CpuBackend(2)) {
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                float[] x = xs.get(i), c = cs.get(i);
                results.add(callersPool.submit(() -> {
                    int[] ids = new int[b.rows()];
                    for (int it = 0; it < 3; it++) {
                        cpu.assign(b, x, c, 48, ids, new int[2], null);
                        cpu.updateCentroids(b, x, ids, 48, c, null);
                    }
                    return ids;
                }));
            }
            for (int i = 0; i < callers; i++) {
                assertArrayEquals(expected.get(i), results.get(i).get(), "caller " + i);
            }
        } finally {
            callersPool.shutdownNow();
        }
    }
}
