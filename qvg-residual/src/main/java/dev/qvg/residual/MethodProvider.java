package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;

/** The shared half of this module's method providers: name, description, argument checks. */
abstract class MethodProvider implements QuantizerProvider {

    @Override
    public final Quantizer create(QuantizerConfig config, QuantizerContext context) {
        Args.notNull(config, "config");
        Args.notNull(context, "context");
        return build(config, context);
    }

    protected abstract Quantizer build(QuantizerConfig config, QuantizerContext context);
}
