package dev.qvg.tck;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.PackedBlocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Backend contract item 3: calls on one instance may come from several threads one at a time
 * (always checked), and, when the backend declares {@link #threadSafe()}, concurrent calls give
 * exactly the results single calls give.
 */
public abstract class BaseConcurrencyTestCase extends BackendKitTestCase {

    /** One self-contained piece of work and its check against the reference. */
    private Callable<Void> task(long seed, int kind) {
        return () -> {
            Random r = new Random(seed);
            if (kind % 2 == 0) {
                BlockQuantConfig c = new BlockQuantConfig(new int[]{2, 3, 4, 8}[r.nextInt(4)], 16, r.nextBoolean(),
                        r.nextBoolean() ? ScalePrecision.BF16 : ScalePrecision.FP8_E4M3);
                if ((c.scalePrecision() == ScalePrecision.FP8_E4M3 && !spec().supportsFp8Scales())
                        || (!c.symmetric() && !spec().supportsAsymmetric()) || (c.bits() == 3 && !spec().supportsInt3())) {
                    c = BlockQuantConfig.publishedInt2().withBlockSize(16);
                }
                int rows = 1 + r.nextInt(64);
                float[] x = Fixtures.Block.KEY_LIKE.make(r, rows, 128, c);
                PackedBlocks want = reference().quantizePack(x, rows, 128, c);
                PackedBlocks got = backend().quantizePack(x, rows, 128, c);
                Checks.assertSameBlocks(want, got, "quantizePack on " + Thread.currentThread().getName());
                float[] a = new float[rows * 128], b = new float[rows * 128];
                reference().unpackDequant(want, a);
                backend().unpackDequant(got, b);
                Checks.assertSameFloats(a, b, 128, "unpackDequant on " + Thread.currentThread().getName());
            } else {
                Fixtures.KMeansCase k = Fixtures.exactTies(r, 2, 37, 64, 2 + r.nextInt(30));
                int[] want = new int[k.batch().rows()], got = new int[k.batch().rows()];
                reference().assign(k.batch(), k.points(), k.centroids(), k.clusters(), want, new int[2], null);
                backend().assign(k.batch(), k.points(), k.centroids(), k.clusters(), got, new int[2], null);
                Checks.assertSameInts(want, got, 37, "assign (exact ties) on " + Thread.currentThread().getName());
            }
            return null;
        };
    }

    @Test
    void callsFromSeveralThreadsOneAtATime() throws Exception {
        Random r = random();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0, n = scaled(12); i < n; i++) {
                pool.submit(task(r.nextLong(), i)).get(60, TimeUnit.SECONDS); // wait: one call at a time
            }
        } catch (ExecutionException e) {
            throw unwrap(e);
        } finally {
            stop(pool);
        }
    }

    @Test
    void concurrentCallsWhenThreadSafe() throws Exception {
        assumeTrue(spec().threadSafe(), "threadSafe() is false: concurrent calls are not part of this backend's contract");
        Random r = random();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Void>> fs = new ArrayList<>();
            for (int i = 0, n = threads * scaled(6); i < n; i++) {
                Callable<Void> t = task(r.nextLong(), i);
                fs.add(pool.submit(() -> {
                    start.await();
                    return t.call();
                }));
            }
            start.countDown();
            for (Future<Void> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            throw unwrap(e);
        } finally {
            stop(pool);
        }
    }

    /** Waits for tasks still running after a failure, so none overlaps the next test. */
    private static void stop(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(120, TimeUnit.SECONDS);
    }

    private static Exception unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof Error err) {
            throw err;
        }
        return c instanceof Exception ex ? ex : e;
    }
}
