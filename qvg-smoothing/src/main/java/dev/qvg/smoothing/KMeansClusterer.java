package dev.qvg.smoothing;

import dev.qvg.api.Args;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.Seeds;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Batched Lloyd k-means (spec section 3) over every slice of a {@link SliceBatch}, driving the
 * backend's {@code assign} and {@code updateCentroids} kernels.
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
 * returned centroid is exactly the mean of the rows whose id names it. At convergence (no id
 * changed, which is what {@code tol = 1e-4} means below 10,000 tokens) the ids are also each
 * row's nearest returned centroid. A converged slice goes inactive (the kernels skip it) while
 * others go on; {@code iterations[i]} counts the assign+update rounds slice {@code i} ran, so it
 * is at least 2 when {@code maxIters >= 2} (the first round changes every id).
 *
 * <p>Initialisation, when no centroids are given: slice {@code i} draws from its own
 * {@link SplitMix64} seeded {@code Seeds.derive(config.seed(), i)}, so the result does not
 * depend on thread count or slice order. See {@link CentroidInit} for both methods. A slice with
 * fewer rows than clusters works: the draws with replacement give duplicate centroids, which
 * stay empty (a duplicate loses every tie to its lower-index twin) and keep their value.
 */
public final class KMeansClusterer implements Clusterer {

    @Override
    public ClusteringResult cluster(Backend backend, SliceBatch batch, float[] points, KMeansConfig config,
                                    float[] initialCentroids) {
        Args.notNull(backend, "backend");
        Args.notNull(batch, "batch");
        Args.notNull(config, "config");
        batch.requireLength("points", points, batch.dim());
        requireFinite(points, batch);
        int n = batch.slices(), S = batch.tokens(), D = batch.dim(), K = config.clusters();
        float[] centroids;
        if (initialCentroids != null) {
            batch.requireCentroids("initialCentroids", initialCentroids, K);
            requireFiniteCentroids(initialCentroids);
            centroids = initialCentroids.clone();
        } else {
            centroids = initialCentroids(batch, points, config);
        }
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
                if ((double) changed[i] / S < config.tol()) {
                    active[i] = false;
                    remaining--;
                }
            }
        }
        return new ClusteringResult(centroids, ids, iterations);
    }

    /** {@code [slices, K, D]} initial centroids, each slice from its own seeded generator. */
    static float[] initialCentroids(SliceBatch batch, float[] points, KMeansConfig config) {
        int S = batch.tokens(), D = batch.dim(), K = config.clusters();
        float[] out = new float[batch.slices() * K * D];
        // Slices write disjoint ranges and own their generators: parallel and deterministic.
        IntStream.range(0, batch.slices()).parallel().forEach(i -> CentroidInit.init(config.init(),
                new SplitMix64(Seeds.derive(config.seed(), i)), points, i * S * D, S, D, K, out, i * K * D));
        return out;
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

    private static void requireFiniteCentroids(float[] c) {
        for (int i = 0; i < c.length; i++) {
            if (!Float.isFinite(c[i])) {
                throw new IllegalArgumentException("initialCentroids: non-finite value " + c[i] + " at index " + i);
            }
        }
    }
}
