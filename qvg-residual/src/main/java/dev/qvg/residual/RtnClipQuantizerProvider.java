package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;

/** Registers the {@code rtn-clip} method: round-to-nearest after clipping each block to its clipPercentile-th |x| percentile. */
public final class RtnClipQuantizerProvider extends MethodProvider {

    public static final String NAME = "rtn-clip";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "round-to-nearest after clipping each block to its clipPercentile-th |x| percentile";
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new ResidualMethodQuantizer(NAME, config, context, 0, true);
    }
}
