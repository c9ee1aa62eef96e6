package dev.qvg.api.spi;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Service-loaded provider of a whole quantization method; its name is the config's
 * {@code method}. A method is a plug-in in every respect: besides building its
 * {@link Quantizer}, the provider owns what the tools need to know about it, so no tool names
 * a method: its own settings ({@link #knobs()}, shown and parsed by the command line), the
 * shared settings it reads ({@link #settings()}), the config it really runs
 * ({@link #canonical}), its labels, its exact storage from shapes alone ({@link #budget}, what
 * {@code qvg plan} uses), whether it can quantize a tensor part by part (streaming), named
 * presets and whether {@code qvg eval} runs it by default.
 *
 * <p>Only {@link #name()} and {@link #create} must be written; the defaults describe a method
 * that reads every shared setting, has no knobs, cannot be planned and quantizes whole tensors.
 * The conformance kit ({@code qvg-tck}'s {@code BaseQuantizerTestCase}) checks that what a
 * provider declares is what its quantizer does.
 */
public interface QuantizerProvider extends NamedProvider {

    /**
     * @throws IllegalArgumentException when the config asks for something this method cannot do
     *                                  (naming the parameter), including a bad value of one of its
     *                                  {@link #knobs()} or a params key that is not one of them
     */
    Quantizer create(QuantizerConfig config, QuantizerContext context);

    /** This method's own settings, read from {@link QuantizerConfig#params()}. */
    default List<Knob> knobs() {
        return List.of();
    }

    /** The shared settings this method reads; a front end refuses the others when given explicitly. */
    default Set<CoreSetting> settings() {
        return EnumSet.allOf(CoreSetting.class);
    }

    /**
     * {@code config} as this method runs it: settings the method fixes by definition set to
     * those values (a one-stage method's stage count, KIVI's asymmetry), so what is stored,
     * labelled and planned is what ran. Must be idempotent. The default returns {@code config}.
     */
    default QuantizerConfig canonical(QuantizerConfig config) {
        return config;
    }

    /** Short name for tables and plot legends, e.g. {@code prq(2)}; the default is the method name. */
    default String shortLabel(QuantizerConfig config) {
        return name();
    }

    /**
     * One line naming everything that shapes the result, e.g. {@code sas int2 sym b64 bf16 K=256};
     * written into decompressed files' metadata. The default lists the shared settings this
     * method reads and its knobs that differ from their defaults.
     */
    default String label(QuantizerConfig config) {
        StringBuilder sb = new StringBuilder(shortLabel(config));
        Set<CoreSetting> s = settings();
        if (s.contains(CoreSetting.BITS)) {
            sb.append(" int").append(config.quant().bits());
        }
        if (s.contains(CoreSetting.SYMMETRIC)) {
            sb.append(config.quant().symmetric() ? " sym" : " asym");
        }
        if (s.contains(CoreSetting.BLOCK_SIZE)) {
            sb.append(" b").append(config.quant().blockSize());
        }
        if (s.contains(CoreSetting.SCALE_PRECISION)) {
            sb.append(' ').append(config.quant().scalePrecision().name().toLowerCase(Locale.ROOT));
        }
        if (s.contains(CoreSetting.KMEANS)) {
            sb.append(" K=").append(config.kmeans().clusters());
        }
        for (Knob k : knobs()) {
            String v = config.params().get(k.key());
            if (v != null && !k.canonical(v).equals(k.canonical(k.defaultValue()))) {
                sb.append(' ').append(k.key()).append('=').append(v);
            }
        }
        return sb.toString();
    }

    /**
     * The exact storage {@link Quantizer#quantize} will produce for a tensor of this shape, from
     * the shape and config alone (no backend, no data): what {@code qvg plan} multiplies out.
     * Empty when the method cannot know it in advance; it must then say so in its description.
     *
     * @throws IllegalArgumentException when the shape cannot be quantized with this config
     */
    default Optional<BitBudget> budget(QuantizerConfig config, KvShape shape, KvRole role) {
        return Optional.empty();
    }

    /**
     * Whether {@link Quantizer#quantizeSlices} accepts {@code firstSlice > 0}, so a tensor can
     * be compressed a group of slices at a time; without it the streamed commands quantize each
     * tensor whole (in memory).
     */
    default boolean supportsParts() {
        return false;
    }

    /**
     * Named complete configurations of this method, e.g. a paper's published settings (built
     * lazily: called by front ends, never during discovery). Preset names are unique across methods.
     */
    default List<Preset> presets() {
        return List.of();
    }

    /**
     * Where this method appears in {@code qvg eval}'s default comparison (lower first), or empty
     * to run it only when asked for by name.
     */
    default OptionalInt defaultEvalPosition() {
        return OptionalInt.empty();
    }
}
