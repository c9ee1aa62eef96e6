package dev.qvg.api.spi;

import java.util.Objects;

/** The assembled parts a whole-method {@link Quantizer} runs on (built by the Guice module or by hand). */
public record QuantizerContext(Backend backend, Clusterer clusterer, Smoother smoother, ResidualQuantizer residual) {
    public QuantizerContext {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(clusterer, "clusterer");
        Objects.requireNonNull(smoother, "smoother");
        Objects.requireNonNull(residual, "residual");
    }
}
