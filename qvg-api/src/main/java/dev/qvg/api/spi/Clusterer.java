package dev.qvg.api.spi;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.tensor.SliceBatch;

/**
 * Batched clustering of each slice's rows (spec section 3), driving a backend's kernels.
 * Deterministic: the same points, config (seed included) and initial centroids give the same
 * bits whatever the thread count; slice {@code i} draws from its own generator seeded by
 * {@code Seeds.derive(config.seed(), i)}.
 */
public interface Clusterer {

    /**
     * @param initialCentroids {@code [slices, K, D]} to start from (warm start), or {@code null}
     *                         to initialise as {@code config.init()} says
     */
    ClusteringResult cluster(Backend backend, SliceBatch batch, float[] points, KMeansConfig config,
                             float[] initialCentroids);
}
