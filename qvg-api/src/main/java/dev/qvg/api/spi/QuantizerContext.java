package dev.qvg.api.spi;

import dev.qvg.api.Args;

/** The assembled parts a whole-method {@link Quantizer} runs on (built by qvg-inject's Guice module or by hand). */
public record QuantizerContext(Backend backend, Clusterer clusterer, Smoother smoother, ResidualQuantizer residual) {
    public QuantizerContext {
        Args.notNull(backend, "backend");
        Args.notNull(clusterer, "clusterer");
        Args.notNull(smoother, "smoother");
        Args.notNull(residual, "residual");
    }
}
