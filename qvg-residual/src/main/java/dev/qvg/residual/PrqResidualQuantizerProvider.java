package dev.qvg.residual;

import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.ResidualQuantizerProvider;

/** Registers {@link PrqResidualQuantizer} as {@code prq}. */
public final class PrqResidualQuantizerProvider implements ResidualQuantizerProvider {

    public static final String NAME = "prq";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "progressive residual quantization: n smoothing stages, then block quantization (spec section 5)";
    }

    @Override
    public ResidualQuantizer create() {
        return new PrqResidualQuantizer();
    }
}
