package dev.qvg.inject;

import dev.qvg.api.Args;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.Smoother;

/**
 * Assembles a pipeline (backend + clusterer + smoother + residual quantizer + method) from a
 * {@link QuantizerConfig} by registry names. Every part is a separate binding, so a user
 * replaces one with {@code Modules.override(new QvgModule(cfg)).with(myModule)} (see
 * {@link Pipelines}).
 */
public class QvgModule extends AbstractModule {

    private final QuantizerConfig config;

    public QvgModule(QuantizerConfig config) {
        this.config = Args.notNull(config, "config");
    }

    @Override
    protected void configure() {
        bind(QuantizerConfig.class).toInstance(config);
    }

    @Provides
    @Singleton
    Backend backend(QuantizerConfig c) {
        return Qvg.backends().getAvailable(c.backend()).create();
    }

    @Provides
    @Singleton
    Clusterer clusterer(QuantizerConfig c) {
        return Qvg.clusterers().getAvailable(c.clusterer()).create();
    }

    @Provides
    @Singleton
    Smoother smoother(QuantizerConfig c) {
        return Qvg.smoothers().getAvailable(c.smoother()).create();
    }

    @Provides
    @Singleton
    ResidualQuantizer residual(QuantizerConfig c) {
        return Qvg.residuals().getAvailable(c.residual()).create();
    }

    @Provides
    @Singleton
    QuantizerContext context(Backend b, Clusterer c, Smoother s, ResidualQuantizer r) {
        return new QuantizerContext(b, c, s, r);
    }

    @Provides
    @Singleton
    Quantizer quantizer(QuantizerConfig c, QuantizerContext ctx) {
        return Qvg.quantizers().getAvailable(c.method()).create(c, ctx);
    }
}
