package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;

/** Registers the {@code kivi} method: KIVI: keys per channel, values per token, asymmetric, recent tokens in bf16. */
public final class KiviQuantizerProvider extends MethodProvider {

    public static final String NAME = "kivi";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "KIVI: keys per channel, values per token, asymmetric, recent tokens in bf16";
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new KiviQuantizer(config, context);
    }
}
