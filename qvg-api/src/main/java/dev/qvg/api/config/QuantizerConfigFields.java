package dev.qvg.api.config;

import dev.qvg.api.Args;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one list of a {@link QuantizerConfig}'s stored fields, their names and their types, shared
 * by every serialisation (the quantized-cache file's metadata strings in {@code qvg-io}, the
 * tuner's JSON in {@code qvg-residual}), so the formats cannot drift apart. A format supplies
 * only typed reading and writing of one field ({@link Source}, {@link Sink}) and the words that
 * locate a field in its error messages.
 *
 * <p>Fields, in order: {@code method}, {@code backend}, {@code clusterer}, {@code smoother},
 * {@code residual}, {@code bits}, {@code block_size}, {@code symmetric},
 * {@code scale_precision}, {@code clusters}, {@code max_iters}, {@code tol}, {@code seed},
 * {@code init}, {@code stages}, {@code clip_percentile}, {@code kivi_group_size},
 * {@code kivi_residual_tokens}, {@code params} (a string map, written with sorted keys). All are
 * required on reading.
 */
public final class QuantizerConfigFields {

    private QuantizerConfigFields() {
    }

    /** Typed reading of required fields; each method throws {@link IllegalArgumentException} naming the field. */
    public interface Source {
        String text(String key);

        int integer(String key);

        long longValue(String key);

        double real(String key);

        boolean bool(String key);

        /** The {@code params} field: a map of strings (copied by the config). */
        Map<String, String> params(String key);

        /** Where field {@code key} is, for messages: "metadata key 'qvg.config.bits'", "tensors.k.config.bits". */
        String describe(String key);
    }

    /** Typed writing of one field. */
    public interface Sink {
        void text(String key, String value);

        void integer(String key, int value);

        void longValue(String key, long value);

        void real(String key, double value);

        void bool(String key, boolean value);

        /** The {@code params} field; keys arrive sorted. */
        void params(String key, Map<String, String> value);
    }

    /** Writes every field of {@code c} to {@code out}, in the documented order. */
    public static void write(QuantizerConfig c, Sink out) {
        Args.notNull(c, "config");
        Args.notNull(out, "out");
        out.text("method", c.method());
        out.text("backend", c.backend());
        out.text("clusterer", c.clusterer());
        out.text("smoother", c.smoother());
        out.text("residual", c.residual());
        out.integer("bits", c.quant().bits());
        out.integer("block_size", c.quant().blockSize());
        out.bool("symmetric", c.quant().symmetric());
        out.text("scale_precision", c.quant().scalePrecision().name());
        out.integer("clusters", c.kmeans().clusters());
        out.integer("max_iters", c.kmeans().maxIters());
        out.real("tol", c.kmeans().tol());
        out.longValue("seed", c.kmeans().seed());
        out.text("init", c.kmeans().init().name());
        out.integer("stages", c.stages());
        out.real("clip_percentile", c.clipPercentile());
        out.integer("kivi_group_size", c.kiviGroupSize());
        out.integer("kivi_residual_tokens", c.kiviResidualTokens());
        out.params("params", new TreeMap<>(c.params()));
    }

    /**
     * The config held by {@code in}. A missing or mistyped field, an unknown enum name or a value
     * the config's own validation refuses is an {@link IllegalArgumentException} naming it.
     */
    public static QuantizerConfig read(Source in) {
        Args.notNull(in, "in");
        BlockQuantConfig quant = new BlockQuantConfig(in.integer("bits"), in.integer("block_size"), in.bool("symmetric"),
                enumeration(in, "scale_precision", ScalePrecision.class));
        KMeansConfig kmeans = new KMeansConfig(in.integer("clusters"), in.integer("max_iters"), in.real("tol"),
                in.longValue("seed"), enumeration(in, "init", KMeansInit.class));
        return new QuantizerConfig(in.text("method"), in.text("backend"), in.text("clusterer"), in.text("smoother"),
                in.text("residual"), quant, kmeans, in.integer("stages"), in.real("clip_percentile"),
                in.integer("kivi_group_size"), in.integer("kivi_residual_tokens"), in.params("params"));
    }

    private static <E extends Enum<E>> E enumeration(Source in, String key, Class<E> type) {
        String v = in.text(key);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(in.describe(key) + ": unknown value '" + v + "', expected one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }
}
