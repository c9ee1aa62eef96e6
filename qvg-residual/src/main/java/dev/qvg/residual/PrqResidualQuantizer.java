package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.spi.StageInit;
import dev.qvg.api.reference.SpanEncoding;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Progressive residual quantization (spec section 5): stage {@code s} runs the context's
 * smoother on what stage {@code s - 1} left, with k-means seed {@code Seeds.derive(seed, s)} so
 * stages draw independent initialisations; then the backend block-quantizes the final residual.
 * With zero stages this is plain round-to-nearest block quantization.
 */
public final class PrqResidualQuantizer implements ResidualQuantizer {

    /**
     * When the context's clusterer and smoother are the standard ones
     * ({@link dev.qvg.api.spi.Clusterer#isBackendKMeans}, {@link dev.qvg.api.spi.Smoother#isBackendSas}),
     * the backend encodes the whole span in one call ({@link Backend#encodeSpan}); otherwise each
     * stage goes through the context's providers. Both give the same bits for the standard ones.
     */
    @Override
    public ResidualCode encode(QuantizerContext context, SliceBatch batch, float[] x, int stages, KMeansConfig kmeans,
                               BlockQuantConfig quant, StageInit init) {
        Args.notNull(context, "context");
        SpanPlan plan = new SpanPlan(stages, kmeans, quant, init);
        SpanEncoding.checkArgs(batch, x, plan);
        Backend backend = context.backend();
        if (stages == 0 || (context.clusterer().isBackendKMeans() && context.smoother().isBackendSas())) {
            return backend.encodeSpan(batch, x, plan);
        }
        List<ClusterStage> done = new ArrayList<>(stages);
        for (int s = 0; s < stages; s++) {
            done.add(context.smoother().smooth(backend, context.clusterer(), batch, x, plan.stageConfig(s),
                    plan.initialCentroids(s, x)));
        }
        PackedBlocks blocks = backend.quantizePack(x, batch.rows(), batch.dim(), quant);
        return new ResidualCode(done, blocks);
    }

    @Override
    public void decode(Backend backend, SliceBatch batch, ResidualCode code, float[] out) {
        Args.notNull(backend, "backend");
        Args.notNull(batch, "batch");
        Args.notNull(code, "code");
        batch.requireLength("out", out, batch.dim());
        PackedBlocks b = code.blocks();
        if (b.rows() != batch.rows() || b.cols() != batch.dim()) {
            throw new IllegalArgumentException("code: blocks are [" + b.rows() + ", " + b.cols() + "], expected ["
                    + batch.rows() + ", " + batch.dim() + "] for " + batch);
        }
        for (ClusterStage st : code.stages()) {
            if (st.slices() != batch.slices() || st.tokens() != batch.tokens() || st.dim() != batch.dim()) {
                throw new IllegalArgumentException("code: a stage covers " + st.slices() + " x [" + st.tokens() + ", "
                        + st.dim() + "], expected " + batch);
            }
        }
        backend.decode(batch, b, code.stages(), out);
    }
}
