package dev.qvg.inject;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;

/**
 * One-call assembly: {@code Pipelines.quantizer(cfg)}, optionally overriding parts with user
 * modules. The quantizer returned owns its backend: close it (try-with-resources) to release the
 * backend; {@link Pipeline#open} gives the backend too.
 */
public final class Pipelines {

    private Pipelines() {
    }

    /** An injector for {@code config}, with {@code overrides} replacing any of {@link QvgModule}'s bindings. */
    public static Injector injector(QuantizerConfig config, Module... overrides) {
        return Guice.createInjector(Modules.override(new QvgModule(config)).with(overrides));
    }

    /** The quantizer of {@code config}; its {@link Quantizer#close()} closes the backend it was built with. */
    public static Quantizer quantizer(QuantizerConfig config, Module... overrides) {
        return new OwningQuantizer(Pipeline.open(config, overrides));
    }
}
