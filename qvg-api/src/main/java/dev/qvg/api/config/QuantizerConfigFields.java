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
 * {@code init}, {@code stages}, then three fields that format version 1 gave every config
 * ({@link #LEGACY_KNOBS}), then {@code params} (a string map, written with sorted keys). All are
 * required on reading.
 *
 * <p>The three version-1 fields held knobs of two baseline methods as if every method had them.
 * Knobs now belong to their methods and live in {@code params}; to keep the format as it is,
 * each of those three keys is still written, from {@code params} when the config has that knob
 * and as its version-1 default otherwise, and on reading a value other than the default goes
 * back into {@code params} under the same key. So files written before and after read alike.
 */
public final class QuantizerConfigFields {

    private QuantizerConfigFields() {
    }

    /**
     * Params keys that format version 1 stored as fields of every config, with the value it
     * stored when the method had no such knob. Any method's config may carry them (files written
     * before knobs moved to methods do); a method that owns one declares the same default.
     */
    public static final Map<String, String> LEGACY_KNOBS = legacy();

    private static Map<String, String> legacy() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("clip_percentile", "99.0");
        m.put("kivi_group_size", "32");
        m.put("kivi_residual_tokens", "128");
        return java.util.Collections.unmodifiableMap(m);
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
        Map<String, String> params = new TreeMap<>(c.params());
        out.real("clip_percentile", legacyNumber(params.remove("clip_percentile"), "clip_percentile"));
        out.integer("kivi_group_size", legacyInteger(params.remove("kivi_group_size"), "kivi_group_size"));
        out.integer("kivi_residual_tokens", legacyInteger(params.remove("kivi_residual_tokens"), "kivi_residual_tokens"));
        out.params("params", params);
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
        int stages = in.integer("stages");
        Map<String, String> params = new TreeMap<>(in.params("params"));
        legacyIn(params, "clip_percentile", Double.toString(in.real("clip_percentile")), in);
        legacyIn(params, "kivi_group_size", Integer.toString(in.integer("kivi_group_size")), in);
        legacyIn(params, "kivi_residual_tokens", Integer.toString(in.integer("kivi_residual_tokens")), in);
        return new QuantizerConfig(in.text("method"), in.text("backend"), in.text("clusterer"), in.text("smoother"),
                in.text("residual"), quant, kmeans, stages, params);
    }

    /** The value a version-1 field gets: the knob's when the config has it, else the version-1 default. */
    private static double legacyNumber(String value, String key) {
        String v = value != null ? value : LEGACY_KNOBS.get(key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("params." + key + ": must be a number, got '" + v + "'");
        }
    }

    private static int legacyInteger(String value, String key) {
        String v = value != null ? value : LEGACY_KNOBS.get(key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("params." + key + ": must be an integer, got '" + v + "'");
        }
    }

    /** A version-1 field other than its default becomes a knob again (a params entry of the same key is refused: a file holds one or the other). */
    private static void legacyIn(Map<String, String> params, String key, String stored, Source in) {
        if (params.containsKey(key)) {
            throw new IllegalArgumentException(in.describe("params") + ": holds '" + key
                    + "', which the format stores as its own field");
        }
        if (Double.parseDouble(stored) != Double.parseDouble(LEGACY_KNOBS.get(key))) {
            params.put(key, stored);
        }
    }

    /**
     * The enum named by field {@code key}: its constant's name (as the quantized-cache format
     * writes it, {@code FP8_E4M3}) or the command line's name ({@code fp8}, {@code kmeans++}, as JSON
     * documents write it).
     */
    private static <E extends Enum<E>> E enumeration(Source in, String key, Class<E> type) {
        String v = in.text(key);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            try {
                Object parsed = type == ScalePrecision.class ? ScalePrecision.parse(v)
                        : type == KMeansInit.class ? KMeansInit.parse(v) : null;
                if (parsed != null) {
                    return type.cast(parsed);
                }
            } catch (IllegalArgumentException notACliName) {
                // reported below with the constants
            }
            throw new IllegalArgumentException(in.describe(key) + ": unknown value '" + v + "', expected one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }
}
