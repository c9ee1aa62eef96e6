package dev.qvg.smoothing;

import dev.qvg.api.Args;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.tensor.SliceBatch;

/**
 * Batched Lloyd k-means (spec section 3), run whole by the backend: {@link Backend#cluster}
 * (defined by {@link dev.qvg.api.reference.LloydKMeans}) does the initialisation, every
 * iteration and the per-slice stop in one call, so a device backend keeps the points resident.
 * The backend checks the arguments (shapes, finite values) before any work.
 */
public final class KMeansClusterer implements Clusterer {

    @Override
    public ClusteringResult cluster(Backend backend, SliceBatch batch, float[] points, KMeansConfig config,
                                    float[] initialCentroids) {
        Args.notNull(backend, "backend");
        return backend.cluster(batch, points, config, initialCentroids);
    }

    /** This clusterer is exactly {@link Backend#cluster}, so a span may be encoded by the backend whole. */
    @Override
    public boolean isBackendKMeans() {
        return true;
    }
}
