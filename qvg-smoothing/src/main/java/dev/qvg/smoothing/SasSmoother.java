package dev.qvg.smoothing;

import dev.qvg.api.Args;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.reference.SpanEncoding;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.Smoother;
import dev.qvg.api.tensor.SliceBatch;

/**
 * Semantic-aware smoothing (spec section 4): cluster the rows, round the centroids to the bf16
 * they are stored in, and subtract the <em>stored</em> centroid from each row. Subtracting the
 * rounded value, not the float32 mean, makes the residual exactly what decoding adds back, so
 * the only error left is the block quantizer's. One stage of {@link Backend#encodeSpan}.
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
        ClusterStage stage = SpanEncoding.storedStage(batch, config.clusters(), r);
        backend.subtractCentroids(batch, x, stage.ids(), stage.centroidsAsFloat(), config.clusters());
        return stage;
    }

    @Override
    public boolean isBackendSas() {
        return true;
    }
}
