package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;

/**
 * The shared half of this module's method providers: argument and knob checks, and the config
 * each quantizer is built with is the canonical one (what runs is what is stored and labelled).
 */
abstract class MethodProvider implements QuantizerProvider {

    @Override
    public final Quantizer create(QuantizerConfig config, QuantizerContext context) {
        Args.notNull(config, "config");
        Args.notNull(context, "context");
        if (!config.method().equals(name())) {
            throw new IllegalArgumentException("method: the '" + name() + "' provider was given a config for method '"
                    + config.method() + "'");
        }
        Methods.checkKnobs(this, config.params());
        return build(canonical(config), context);
    }

    protected abstract Quantizer build(QuantizerConfig config, QuantizerContext context);

    @Override
    public boolean supportsParts() {
        return true; // AbstractKvQuantizer draws by slice place: a part gives the whole's bits
    }
}
