package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Knob;
import java.util.List;

/** Registers the {@code rtn-clip} method: round-to-nearest after clipping each block to a percentile of |x|. */
public final class RtnClipQuantizerProvider extends TokenMajorProvider {

    public static final String NAME = "rtn-clip";

    /** Percentile of |x| per block that is kept (the format's version-1 field of the same name). */
    public static final Knob CLIP_PERCENTILE = Knob.real("clip_percentile", "--clip-percentile", 99.0, Double.MIN_VALUE,
            100, "percentile of |x| per block kept before rounding (default: 99.0)");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "round-to-nearest after clipping each block to its clip_percentile-th |x| percentile";
    }

    List<Knob> ownKnobs() {
        return List.of(CLIP_PERCENTILE);
    }

    @Override
    int stages(QuantizerConfig config) {
        return 0;
    }

    @Override
    boolean clips() {
        return true;
    }
}
