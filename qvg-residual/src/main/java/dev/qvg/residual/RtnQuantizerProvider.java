package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import java.util.OptionalInt;

/** Registers the {@code rtn} method: round-to-nearest block quantization per token, no smoothing. */
public final class RtnQuantizerProvider extends TokenMajorProvider {

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
    int stages(QuantizerConfig config) {
        return 0;
    }

    @Override
    public OptionalInt defaultEvalPosition() {
        return OptionalInt.of(0); // the baseline the others are compared with
    }
}
