package dev.qvg.api.inject;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;

/** One-call assembly: {@code Pipelines.quantizer(cfg)}, optionally overriding parts with user modules. */
public final class Pipelines {

    private Pipelines() {
    }

    /** An injector for {@code config}, with {@code overrides} replacing any of {@link QvgModule}'s bindings. */
    public static Injector injector(QuantizerConfig config, Module... overrides) {
        return Guice.createInjector(Modules.override(new QvgModule(config)).with(overrides));
    }

    public static Quantizer quantizer(QuantizerConfig config, Module... overrides) {
        return injector(config, overrides).getInstance(Quantizer.class);
    }
}
