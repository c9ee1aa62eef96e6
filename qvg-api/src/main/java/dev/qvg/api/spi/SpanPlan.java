package dev.qvg.api.spi;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.Seeds;

/**
 * What {@link Backend#encodeSpan} does to a span: {@code stages} semantic-aware smoothing stages
 * (spec sections 3-5; stage {@code s} runs k-means with seed {@link #stageConfig
 * Seeds.derive(kmeans.seed(), s)}), then block quantization of the final residual (section 6).
 *
 * @param init where each stage's k-means starts ({@code null}: every stage cold, as
 *             {@code kmeans.init()} says)
 */
public record SpanPlan(int stages, KMeansConfig kmeans, BlockQuantConfig quant, StageInit init) {

    public SpanPlan {
        Args.notNull(kmeans, "kmeans");
        Args.notNull(quant, "quant");
        if (stages < 0 || stages > QuantizerConfig.MAX_STAGES) {
            throw new IllegalArgumentException("stages: must be in 0.." + QuantizerConfig.MAX_STAGES + ", got " + stages);
        }
    }

    /** The k-means settings of stage {@code s}: the plan's, with the stage's own derived seed. */
    public KMeansConfig stageConfig(int s) {
        return kmeans.withSeed(Seeds.derive(kmeans.seed(), s));
    }

    /** Stage {@code s}'s initial centroids from the hook, or {@code null} (cold). */
    public float[] initialCentroids(int s, float[] stageInput) {
        return init == null ? null : init.initialCentroids(s, stageInput);
    }
}
