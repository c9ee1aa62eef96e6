package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.Preset;
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

    List<Knob> ownKnobs() {
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

    /** The SGLang integration's int2 and int4 (LingBot-World realtime; QVG-SPEC section 7). */
    @Override
    public List<Preset> presets() {
        String source = "the SGLang integration of Quant VideoGen (LingBot-World realtime): 128 centroids, block 64,"
                + " 1 stage, 2 k-means iterations, BF16 scales (QVG-SPEC section 7)";
        String notes = "its cache keeps the sink chunk and the newest completed chunk in BF16: qvg plan --sink-chunks 1"
                + " --recent-chunks 1";
        QuantizerConfig int2 = QuantizerConfig.builder().method(NAME).stages(1).bits(2).blockSize(64).symmetric(true)
                .scalePrecision(dev.qvg.api.config.ScalePrecision.BF16).clusters(128).maxIters(2).build();
        return List.of(new Preset("sglang-int2", source, int2, notes),
                new Preset("sglang-int4", source, int2.toBuilder().bits(4).build(), notes));
    }

    @Override
    public OptionalInt defaultEvalPosition() {
        return OptionalInt.of(20);
    }
}
