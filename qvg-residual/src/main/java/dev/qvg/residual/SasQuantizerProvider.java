package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Knob;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Registers the {@code sas} method: semantic-aware smoothing: one k-means stage, then block quantization. */
public final class SasQuantizerProvider extends TokenMajorProvider {

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
    public List<Knob> knobs() {
        return WarmStart.KNOBS;
    }

    @Override
    public Set<CoreSetting> settings() {
        Set<CoreSetting> s = EnumSet.copyOf(super.settings());
        s.add(CoreSetting.KMEANS);
        return s;
    }

    @Override
    int stages(QuantizerConfig config) {
        return 1;
    }

    @Override
    public OptionalInt defaultEvalPosition() {
        return OptionalInt.of(20);
    }
}
