package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;

/** Registers the {@code rtn} method: round-to-nearest block quantization per token, no smoothing. */
public final class RtnQuantizerProvider extends MethodProvider {

    public static final String NAME = "rtn";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "round-to-nearest block quantization per token, no smoothing";
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new ResidualMethodQuantizer(NAME, config, context, 0, false);
    }
}
