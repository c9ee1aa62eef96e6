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

    /**
     * The parts {@code config} names, made by their registered providers, without Guice (what
     * qvg-inject binds by default). Every part is checked to be on the class path and usable
     * before the backend is created, so a missing one fails with the registry's one line and
     * leaves nothing open; the backend is the caller's to close.
     */
    public static QuantizerContext fromRegistry(dev.qvg.api.config.QuantizerConfig config) {
        Args.notNull(config, "config");
        ClustererProvider clusterer = dev.qvg.api.registry.Qvg.clusterers().getAvailable(config.clusterer());
        SmootherProvider smoother = dev.qvg.api.registry.Qvg.smoothers().getAvailable(config.smoother());
        ResidualQuantizerProvider residual = dev.qvg.api.registry.Qvg.residuals().getAvailable(config.residual());
        Backend backend = dev.qvg.api.registry.Qvg.backends().getAvailable(config.backend()).create();
        try {
            return new QuantizerContext(backend, clusterer.create(), smoother.create(), residual.create());
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
