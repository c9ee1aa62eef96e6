package dev.qvg.bench.limits;

import dev.qvg.bench.ForkedBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine's memory limit: {@code System.arraycopy} of a float array far larger than the
 * last-level cache, split into {@code threads} contiguous parts copied at once. The report counts
 * {@code 2 x} {@link #BYTES} per operation (every byte read once and written once), the same
 * convention as the memory-bound kernels' byte counts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MemoryCopyBenchmark extends ForkedBenchmark {

    /** Bytes of the source array: 128 MiB, well beyond any cache of this machine. */
    public static final int BYTES = 128 << 20;

    @Param({"1", "2"})
    public int threads;

    private float[] src;
    private float[] dst;
    private ExecutorService pool;

    @Setup(Level.Trial)
    public void setUp() {
        src = new float[BYTES / Float.BYTES];
        dst = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bench-copy");
            t.setDaemon(true);
            return t;
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    @Benchmark
    public float[] copy() throws InterruptedException, ExecutionException {
        if (pool == null) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return dst;
        }
        int part = (src.length + threads - 1) / threads;
        List<Future<?>> fs = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int from = t * part;
            int len = Math.min(part, src.length - from);
            fs.add(pool.submit(() -> System.arraycopy(src, from, dst, from, len)));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        return dst;
    }
}
