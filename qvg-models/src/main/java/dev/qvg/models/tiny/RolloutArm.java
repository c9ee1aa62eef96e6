package dev.qvg.models.tiny;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.cache.SpanQuantizer;
import java.util.Objects;

/**
 * One side of a rollout comparison: a label, the cache policy and the span quantizer
 * ({@code null} = the BF16 cache).
 */
public record RolloutArm(String label, CachePolicy policy, SpanQuantizer quantizer) {

    public RolloutArm {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(policy, "policy");
    }

    /** The unquantized reference. */
    public static RolloutArm bf16() {
        return new RolloutArm("bf16", CachePolicy.reference(), null);
    }

    /** A registered method assembled from {@code config} (its backend included), reseeded per span. */
    public static RolloutArm of(QuantizerConfig config, CachePolicy policy) {
        return new RolloutArm(config.label() + " on " + config.backend() + ", " + policy.label(), policy,
                SpanQuantizer.reseeding(config));
    }
}
