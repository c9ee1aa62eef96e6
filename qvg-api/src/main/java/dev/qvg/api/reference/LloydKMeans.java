package dev.qvg.api.reference;

import dev.qvg.api.Args;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Batched Lloyd k-means (spec section 3) composed from a backend's fine kernels
 * ({@code assign}, {@code updateCentroids}): the definition of {@link Backend#cluster} and its
 * default.
 *
 * <p>One iteration, per slice still active:
 * <ol>
 *   <li>assign every row to its nearest centroid (ties to the lowest index), counting the rows
 *       whose id changed (all of them in the first iteration);</li>
 *   <li>update every non-empty centroid to the mean of its rows (empty ones keep their value);</li>
 *   <li>stop the slice when {@code changed / tokens < tol}.</li>
 * </ol>
 * The check comes after the update, as the spec lists the steps and as the original's loop runs
 * ({@code ids = assign(c); c = update(ids); if changed < tol: break}): so the returned centroids
 * are those of the last update and the returned ids the last assignment, and every non-empty
 * returned centroid is exactly the mean of the rows whose id names it. A converged slice goes
 * inactive (the kernels skip it) while others go on; {@code iterations[i]} counts the
 * assign+update rounds slice {@code i} ran.
 *
 * <p>Initialisation, when no centroids are given: slice {@code i} draws from its own
 * {@link SplitMix64} seeded {@link SliceBatch#sliceSeed batch.sliceSeed(config.seed(), i)}, so
 * the result depends neither on thread count nor on slice order nor on how a tensor was cut into
 * batches. See {@link CentroidInit} for both methods.
 */
public final class LloydKMeans {

    private LloydKMeans() {
    }

    /** Checks the arguments of {@link Backend#cluster} (shapes, finite values), naming the bad one. */
    public static void checkArgs(SliceBatch batch, float[] points, KMeansConfig config, float[] initialCentroids) {
        Args.notNull(batch, "batch");
        Args.notNull(config, "config");
        batch.requireLength("points", points, batch.dim());
        requireFinite(points, batch);
        if (initialCentroids != null) {
            batch.requireCentroids("initialCentroids", initialCentroids, config.clusters());
            for (int i = 0; i < initialCentroids.length; i++) {
                if (!Float.isFinite(initialCentroids[i])) {
                    throw new IllegalArgumentException("initialCentroids: non-finite value " + initialCentroids[i]
                            + " at index " + i);
                }
            }
        }
    }

    /** The whole k-means of every slice through {@code backend}'s fine kernels. */
    public static ClusteringResult run(Backend backend, SliceBatch batch, float[] points, KMeansConfig config,
                                       float[] initialCentroids) {
        Args.notNull(backend, "backend");
        checkArgs(batch, points, config, initialCentroids);
        int n = batch.slices(), S = batch.tokens(), K = config.clusters();
        float[] centroids = initialCentroids != null ? initialCentroids.clone() : initialCentroids(batch, points, config);
        int[] ids = new int[batch.rows()];
        Arrays.fill(ids, -1);
        int[] changed = new int[n];
        int[] iterations = new int[n];
        boolean[] active = new boolean[n];
        Arrays.fill(active, true);
        int remaining = n;
        for (int it = 1; it <= config.maxIters() && remaining > 0; it++) {
            backend.assign(batch, points, centroids, K, ids, changed, active);
            backend.updateCentroids(batch, points, ids, K, centroids, active);
            for (int i = 0; i < n; i++) {
                if (!active[i]) {
                    continue;
                }
                iterations[i] = it;
                if (converged(changed[i], S, config)) {
                    active[i] = false;
                    remaining--;
                }
            }
        }
        return new ClusteringResult(centroids, ids, iterations);
    }

    /** The stopping rule: fewer than {@code tol} of the slice's rows changed id. */
    public static boolean converged(int changed, int tokens, KMeansConfig config) {
        return (double) changed / tokens < config.tol();
    }

    /** {@code [slices, K, D]} initial centroids, each slice from its own seeded generator. */
    public static float[] initialCentroids(SliceBatch batch, float[] points, KMeansConfig config) {
        int S = batch.tokens(), D = batch.dim(), K = config.clusters();
        float[] out = new float[batch.slices() * K * D];
        // Slices write disjoint ranges and own their generators: parallel and deterministic.
        IntStream.range(0, batch.slices()).parallel().forEach(i -> initialCentroids(batch, points, config, i, out));
        return out;
    }

    /** Slice {@code i}'s initial centroids into {@code out[i * K * D ...]}. */
    public static void initialCentroids(SliceBatch batch, float[] points, KMeansConfig config, int i, float[] out) {
        int S = batch.tokens(), D = batch.dim(), K = config.clusters();
        CentroidInit.init(config.init(), new SplitMix64(batch.sliceSeed(config.seed(), i)), points, i * S * D, S, D, K,
                out, i * K * D);
    }

    private static void requireFinite(float[] points, SliceBatch batch) {
        for (int i = 0; i < points.length; i++) {
            if (!Float.isFinite(points[i])) {
                int row = i / batch.dim();
                throw new IllegalArgumentException("points: non-finite value " + points[i] + " at slice "
                        + row / batch.tokens() + ", token " + row % batch.tokens() + ", dim " + i % batch.dim());
            }
        }
    }
}
