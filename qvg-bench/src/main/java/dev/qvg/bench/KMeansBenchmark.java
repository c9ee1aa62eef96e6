package dev.qvg.bench;

import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
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
 * One Lloyd iteration of k-means on one {@code [S, 128]} slice with 256 centroids through a
 * backend's kernels: {@code assign} (the {@code 2 S K D} FLOP distance product plus the arg-min)
 * then {@code updateCentroids} (one pass over the points). {@link #assign()} alone separates the
 * arithmetic part from the memory pass. The centroids move between invocations as real
 * iterations do; the work per call does not depend on where they are.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KMeansBenchmark extends ForkedBenchmark {

    @Param({"cpu"})
    public String backend;

    @Param({"4096", "16384", "65536"})
    public int S;

    @Param({"1", "2"})
    public int threads;

    private Backend impl;
    private SliceBatch batch;
    private float[] points;
    private float[] centroids;
    private int[] ids;
    private int[] changed;

    @Setup(Level.Trial)
    public void setUp() {
        impl = BenchBackends.create(backend, threads);
        int D = BenchShapes.D, K = BenchShapes.K;
        batch = new SliceBatch(1, S, D);
        points = BenchData.videoLike(S, D, 11L);
        centroids = BenchData.rowsOf(points, S, D, K, 12L);
        ids = new int[S];
        Arrays.fill(ids, -1);
        changed = new int[1];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
    }

    @Benchmark
    public float[] iteration() {
        impl.assign(batch, points, centroids, BenchShapes.K, ids, changed, null);
        impl.updateCentroids(batch, points, ids, BenchShapes.K, centroids, null);
        return centroids;
    }

    @Benchmark
    public int[] assign() {
        impl.assign(batch, points, centroids, BenchShapes.K, ids, changed, null);
        return ids;
    }
}
