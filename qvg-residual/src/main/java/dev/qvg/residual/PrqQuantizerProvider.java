package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;

/** Registers the {@code prq} method: progressive residual quantization: config.stages() smoothing stages, then block quantization. */
public final class PrqQuantizerProvider extends MethodProvider {

    public static final String NAME = "prq";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "progressive residual quantization: config.stages() smoothing stages, then block quantization";
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new ResidualMethodQuantizer(NAME, config, context, config.stages(), false);
    }
}
