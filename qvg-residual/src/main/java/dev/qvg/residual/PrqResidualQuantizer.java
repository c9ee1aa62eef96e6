package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.Seeds;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.ResidualQuantizer;
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

    @Override
    public ResidualCode encode(QuantizerContext context, SliceBatch batch, float[] x, int stages, KMeansConfig kmeans,
                               BlockQuantConfig quant, float[][] warmStart) {
        Args.notNull(context, "context");
        Args.notNull(batch, "batch");
        Args.notNull(kmeans, "kmeans");
        Args.notNull(quant, "quant");
        if (stages < 0 || stages > QuantizerConfig.MAX_STAGES) {
            throw new IllegalArgumentException("stages: must be in 0.." + QuantizerConfig.MAX_STAGES + ", got " + stages);
        }
        batch.requireLength("x", x, batch.dim());
        // Checked before any k-means runs, so a bad block size fails at once, not after minutes.
        quant.requireDivides(batch.dim());
        if (warmStart != null && warmStart.length != stages) {
            throw new IllegalArgumentException("warmStart: expected one entry per stage (" + stages + "), got "
                    + warmStart.length);
        }
        return encodeStaged(context, batch, x, stages, kmeans, quant,
                warmStart == null ? null : (s, stageInput) -> warmStart[s]);
    }

    /**
     * Where a stage's k-means starts: called once per stage, in order, with the stage's input
     * (the residual the stage before left), so a warm start can re-seed clusters from it.
     */
    @FunctionalInterface
    public interface StageInit {
        /** {@code [slices, K, D]} initial centroids for stage {@code stage}, or {@code null} for a cold start. */
        float[] initialCentroids(int stage, float[] stageInput);
    }

    /**
     * As {@link #encode(QuantizerContext, SliceBatch, float[], int, KMeansConfig, BlockQuantConfig, float[][])},
     * asking {@code init} (may be {@code null}: all cold) for each stage's initial centroids.
     */
    public ResidualCode encodeStaged(QuantizerContext context, SliceBatch batch, float[] x, int stages,
                                     KMeansConfig kmeans, BlockQuantConfig quant, StageInit init) {
        Args.notNull(context, "context");
        Args.notNull(batch, "batch");
        Args.notNull(kmeans, "kmeans");
        Args.notNull(quant, "quant");
        if (stages < 0 || stages > QuantizerConfig.MAX_STAGES) {
            throw new IllegalArgumentException("stages: must be in 0.." + QuantizerConfig.MAX_STAGES + ", got " + stages);
        }
        batch.requireLength("x", x, batch.dim());
        quant.requireDivides(batch.dim());
        List<ClusterStage> done = new ArrayList<>(stages);
        for (int s = 0; s < stages; s++) {
            KMeansConfig stageConfig = kmeans.withSeed(Seeds.derive(kmeans.seed(), s));
            float[] start = init == null ? null : init.initialCentroids(s, x);
            done.add(context.smoother().smooth(context.backend(), context.clusterer(), batch, x, stageConfig, start));
        }
        PackedBlocks blocks = context.backend().quantizePack(x, batch.rows(), batch.dim(), quant);
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
