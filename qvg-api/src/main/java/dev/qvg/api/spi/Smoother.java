package dev.qvg.api.spi;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.tensor.SliceBatch;

/**
 * One semantic-aware smoothing stage (spec section 4): cluster the rows of {@code x} and
 * replace each row by its residual {@code x - C[id]}, where {@code C} is the centroid as stored
 * (bf16), so that reconstruction from stored bits is exact.
 */
public interface Smoother {

    ClusterStage smooth(Backend backend, Clusterer clusterer, SliceBatch batch, float[] x, KMeansConfig config,
                        float[] initialCentroids);

    /**
     * Whether {@link #smooth} is exactly one stage of {@link Backend#encodeSpan} (cluster with the
     * given clusterer, round to bf16, subtract the stored centroids). See
     * {@link Clusterer#isBackendKMeans}.
     */
    default boolean isBackendSas() {
        return false;
    }
}
