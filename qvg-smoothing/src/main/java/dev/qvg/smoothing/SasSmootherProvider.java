package dev.qvg.smoothing;

import dev.qvg.api.spi.Smoother;
import dev.qvg.api.spi.SmootherProvider;

/** Registers {@link SasSmoother} as {@code sas}. */
public final class SasSmootherProvider implements SmootherProvider {

    public static final String NAME = "sas";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "semantic-aware smoothing: one clustering stage, bf16 centroids subtracted (spec section 4)";
    }

    @Override
    public Smoother create() {
        return new SasSmoother();
    }
}
