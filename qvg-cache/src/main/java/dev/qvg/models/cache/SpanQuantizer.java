package dev.qvg.models.cache;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import java.util.Objects;

/**
 * Gives the cache the quantizer for one span, seeded for that span: the cache derives the seed
 * from (its seed, layer, span), so a span's k-means draws never depend on what ran before it
 * (the original changed its videos by drawing k-means seeds from the model's generator).
 * Whatever backend the quantizer was assembled with is the one the cache runs on.
 */
@FunctionalInterface
public interface SpanQuantizer {

    /** The quantizer to encode one span with, its k-means seeded by {@code seed}. */
    Quantizer forSeed(long seed);

    /**
     * The same quantizer for every span: its config's k-means seed is used throughout (still
     * deterministic, as every span is a different input). For a quantizer built by hand.
     */
    static SpanQuantizer fixed(Quantizer quantizer) {
        Objects.requireNonNull(quantizer, "quantizer");
        return seed -> quantizer;
    }

    /**
     * Re-creates the method of {@code config} for every span with the span's seed, on the parts
     * of {@code context} (the backend is shared, not re-created).
     */
    static SpanQuantizer reseeding(QuantizerConfig config, QuantizerContext context) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(context, "context");
        QuantizerProvider provider = Qvg.quantizers().getAvailable(config.method());
        return seed -> provider.create(config.toBuilder().seed(seed).build(), context);
    }

    /**
     * As {@link #reseeding(QuantizerConfig, QuantizerContext)}, each part of the context built
     * by its provider named in {@code config} (what qvg-inject's {@code Pipelines} binds by
     * default, without Guice: the cache needs qvg-api alone). A part that is not on the class
     * path fails with the registry's one line naming the artifact to add, before any backend is
     * left open. The backend lives as long as the spans' quantizers (the cache's).
     */
    static SpanQuantizer reseeding(QuantizerConfig config) {
        Objects.requireNonNull(config, "config");
        Qvg.quantizers().getAvailable(config.method());
        QuantizerContext context = QuantizerContext.fromRegistry(config);
        Backend backend = context.backend();
        try {
            return reseeding(config, context);
        } catch (RuntimeException | Error e) {
            try {
                backend.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
