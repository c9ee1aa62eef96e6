package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;

/** Registers the {@code sas} method: semantic-aware smoothing: one k-means stage, then block quantization. */
public final class SasQuantizerProvider extends MethodProvider {

    public static final String NAME = "sas";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "semantic-aware smoothing: one k-means stage, then block quantization";
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new ResidualMethodQuantizer(NAME, config, context, 1, false);
    }
}
