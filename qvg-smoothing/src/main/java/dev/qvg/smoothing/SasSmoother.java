package dev.qvg.smoothing;

import dev.qvg.api.Args;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.Smoother;
import dev.qvg.api.tensor.SliceBatch;

/**
 * Semantic-aware smoothing (spec section 4): cluster the rows, round the centroids to the bf16
 * they are stored in, and subtract the <em>stored</em> centroid from each row. Subtracting the
 * rounded value, not the float32 mean, makes the residual exactly what decoding adds back, so
 * the only error left is the block quantizer's.
 */
public final class SasSmoother implements Smoother {

    @Override
    public ClusterStage smooth(Backend backend, Clusterer clusterer, SliceBatch batch, float[] x, KMeansConfig config,
                               float[] initialCentroids) {
        Args.notNull(backend, "backend");
        Args.notNull(clusterer, "clusterer");
        Args.notNull(batch, "batch");
        Args.notNull(config, "config");
        ClusteringResult r = clusterer.cluster(backend, batch, x, config, initialCentroids);
        ClusterStage stage = ClusterStage.ofFloatCentroids(batch.slices(), batch.tokens(), batch.dim(),
                config.clusters(), r.centroids(), r.ids(), r.iterations());
        float[] stored = stage.centroidsAsFloat();
        for (int i = 0; i < stored.length; i++) {
            if (!Float.isFinite(stored[i])) {
                // A mean near Float.MAX_VALUE can round up to infinity in bf16.
                throw new IllegalArgumentException("x: centroid value " + r.centroids()[i]
                        + " overflows bfloat16; the input is too large to store its centroids");
            }
        }
        backend.subtractCentroids(batch, x, stage.ids(), stored, config.clusters());
        return stage;
    }
}
