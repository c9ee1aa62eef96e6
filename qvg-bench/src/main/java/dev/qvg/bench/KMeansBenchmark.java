package dev.qvg.bench;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.ClusteringResult;
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
 *
 * <p>{@link #cluster()} is the coarse operation a pipeline calls, {@code Backend.cluster}: one
 * slice's whole k-means (seeded init and {@value BenchShapes#LAYER_ITERS} iterations, no early
 * stop), the per-slice share of the real-job benchmark ({@code scripts/layer-bench.sh}: a
 * LongCat-Video layer is 64 such slices at {@code S = 29640}; run it with {@code -p S=29640}).
 * Any S of at least K works: the defaults are the report's sizes, not a limit.
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
    private KMeansConfig layerConfig;

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
        layerConfig = clusterConfig();
    }

    /** What {@link #cluster()} runs: the layer benchmark's k-means ({@code --iters 5 --tol 0}), seeded. */
    static KMeansConfig clusterConfig() {
        return new KMeansConfig(BenchShapes.K, BenchShapes.LAYER_ITERS, 0.0, 13L, KMeansInit.RANDOM);
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
    public ClusteringResult cluster() {
        return impl.cluster(batch, points, layerConfig, null);
    }

    @Benchmark
    public int[] assign() {
        impl.assign(batch, points, centroids, BenchShapes.K, ids, changed, null);
        return ids;
    }
}
