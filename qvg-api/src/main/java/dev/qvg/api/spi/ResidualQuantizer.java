package dev.qvg.api.spi;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.tensor.SliceBatch;

/**
 * Progressive residual quantization (spec section 5): {@code stages} smoothing stages on
 * successive residuals, then the block quantizer on the final residual. Stage {@code s} uses
 * the k-means seed {@code Seeds.derive(kmeans.seed(), s)} ({@link SpanPlan#stageConfig}).
 */
public interface ResidualQuantizer {

    /**
     * Encodes {@code x} (token-major slice batch); {@code x} is overwritten with the final residual.
     *
     * @param init where each stage's k-means starts, asked once per stage with the stage's input
     *             ({@code null}: every stage cold)
     */
    ResidualCode encode(QuantizerContext context, SliceBatch batch, float[] x, int stages, KMeansConfig kmeans,
                        BlockQuantConfig quant, StageInit init);

    /** Reconstructs {@code dequant(blocks) + sum of stage centroids} into {@code out}. */
    void decode(Backend backend, SliceBatch batch, ResidualCode code, float[] out);
}
