package dev.qvg.api.spi;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.tensor.SliceBatch;

/**
 * Batched clustering of each slice's rows (spec section 3), driving a backend's kernels.
 * Deterministic: the same points, config (seed included) and initial centroids give the same
 * bits whatever the thread count; slice {@code i} draws from its own generator seeded by
 * {@code batch.sliceSeed(config.seed(), i)}.
 */
public interface Clusterer {

    /**
     * @param initialCentroids {@code [slices, K, D]} to start from (warm start), or {@code null}
     *                         to initialise as {@code config.init()} says
     */
    ClusteringResult cluster(Backend backend, SliceBatch batch, float[] points, KMeansConfig config,
                             float[] initialCentroids);

    /**
     * Whether {@link #cluster} is exactly {@link Backend#cluster} (spec section 3 k-means as the
     * backend runs it). When both the clusterer and the smoother say so, a span may be encoded
     * whole by {@link Backend#encodeSpan}; otherwise a pipeline composes the stages through these
     * providers. A clusterer of its own must leave this {@code false}.
     */
    default boolean isBackendKMeans() {
        return false;
    }
}
