package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.Preset;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Registers the {@code prq} method: progressive residual quantization: {@code config.stages()}
 * smoothing stages, then block quantization. The highest-ranked method: the default when a
 * config names none (the original's published INT2 is prq with one stage).
 */
public final class PrqQuantizerProvider extends TokenMajorProvider {

    public static final String NAME = "prq";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public String description() {
        return "progressive residual quantization: --stages smoothing stages, then block quantization";
    }

    List<Knob> ownKnobs() {
        return WarmStart.KNOBS;
    }

    @Override
    public Set<CoreSetting> settings() {
        return EnumSet.allOf(CoreSetting.class);
    }

    @Override
    int stages(QuantizerConfig config) {
        return config.stages();
    }

    @Override
    public String shortLabel(QuantizerConfig config) {
        return NAME + "(" + config.stages() + ")";
    }

    /** {@code prq(2 stages) int2 sym b64 bf16 K=256}; without stages no {@code K}. */
    @Override
    public String label(QuantizerConfig config) {
        String full = super.label(config);
        if (config.stages() == 0) {
            // no stage, no centroids: the cluster count means nothing (plain block quantization)
            full = full.replace(" K=" + config.kmeans().clusters(), "");
        }
        String stages = NAME + "(" + config.stages() + (config.stages() == 1 ? " stage)" : " stages)");
        return String.format(Locale.ROOT, "%s%s", stages, full.substring(shortLabel(config).length()));
    }

    /**
     * The original's published INT2 scripts and the full configuration of its config class
     * (QVG-Pro): QVG-SPEC sections 5-7.
     */
    @Override
    public List<Preset> presets() {
        QuantizerConfig int2 = QuantizerConfig.builder().method(NAME).stages(1).bits(2).blockSize(64).symmetric(true)
                .scalePrecision(ScalePrecision.BF16).clusters(256).maxIters(100).build();
        return List.of(
                new Preset("qvg-int2", "Quant VideoGen's published INT2 scripts: 1 stage, 2-bit symmetric, block 64,"
                        + " 256 centroids, 100 k-means iterations, BF16 scales (QVG-SPEC section 7)", int2, ""),
                new Preset("qvg-pro", "Quant VideoGen's config-class defaults (QVG-Pro): 4 PRQ stages, block 16, the"
                        + " INT2 settings otherwise (QVG-SPEC sections 5 and 6)",
                        int2.toBuilder().stages(4).blockSize(16).build(), ""));
    }

    @Override
    public OptionalInt defaultEvalPosition() {
        return OptionalInt.of(30);
    }
}
