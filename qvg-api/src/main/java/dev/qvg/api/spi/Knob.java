package dev.qvg.api.spi;

import dev.qvg.api.config.QuantizerConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One typed setting that a method owns (KIVI's group size, rtn-clip's percentile, a plug-in's
 * rotation seed): stored as a string in {@link QuantizerConfig#params()} under {@link #key()},
 * parsed and validated by the knob, shown by the command line as {@link #flag()} with its
 * default and help. A config without the key runs with the default.
 *
 * @param key          the params key (stable: it is written into quantized files)
 * @param flag         the command-line option, e.g. {@code --kivi-group}
 * @param type         how the value is parsed
 * @param defaultValue the value when the key is absent, in the type's text form
 * @param min          smallest accepted number (inclusive), or NaN for none; ignored for non-numbers
 * @param max          largest accepted number (inclusive), or NaN for none; ignored for non-numbers
 * @param help         one line for the command's help
 * @param aliases      other command-line names of the same option (kept for old scripts), possibly empty
 */
public record Knob(String key, String flag, Type type, String defaultValue, double min, double max, String help,
                   java.util.List<String> aliases) {

    /** Value types a knob can have. */
    public enum Type { INT, REAL, BOOL, TEXT }

    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Pattern FLAG = Pattern.compile("--[a-z0-9]+(-[a-z0-9]+)*");

    public Knob {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(help, "help");
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("knob key: use a letter then letters, digits or '_' (at most 64), got '"
                    + key + "'");
        }
        if (flag == null || !FLAG.matcher(flag).matches()) {
            throw new IllegalArgumentException("knob " + key + ": flag must look like --lower-case-words, got '" + flag + "'");
        }
        Objects.requireNonNull(defaultValue, "defaultValue");
        parse(key, type, defaultValue, min, max); // the default itself must be valid
        aliases = java.util.List.copyOf(aliases == null ? java.util.List.of() : aliases);
        for (String a : aliases) {
            if (!FLAG.matcher(a).matches() || a.equals(flag)) {
                throw new IllegalArgumentException("knob " + key + ": alias must look like --lower-case-words and differ"
                        + " from the flag, got '" + a + "'");
            }
        }
    }

    /** A knob without aliases. */
    public Knob(String key, String flag, Type type, String defaultValue, double min, double max, String help) {
        this(key, flag, type, defaultValue, min, max, help, java.util.List.of());
    }

    /** This knob also answering to {@code more} on the command line. */
    public Knob withAliases(String... more) {
        java.util.List<String> all = new java.util.ArrayList<>(aliases);
        all.addAll(java.util.List.of(more));
        return new Knob(key, flag, type, defaultValue, min, max, help, all);
    }

    /** An integer knob in {@code [min, max]}. */
    public static Knob integer(String key, String flag, int dflt, int min, int max, String help) {
        return new Knob(key, flag, Type.INT, Integer.toString(dflt), min, max, help);
    }

    /** A real knob in {@code [min, max]} (NaN: unbounded on that side). */
    public static Knob real(String key, String flag, double dflt, double min, double max, String help) {
        return new Knob(key, flag, Type.REAL, Double.toString(dflt), min, max, help);
    }

    /** A true/false knob. */
    public static Knob bool(String key, String flag, boolean dflt, String help) {
        return new Knob(key, flag, Type.BOOL, Boolean.toString(dflt), Double.NaN, Double.NaN, help);
    }

    /** The knob's value in {@code params}, or its default; a bad value is refused naming the knob. */
    public Object value(Map<String, String> params) {
        String raw = params.get(key);
        return parse(key, type, raw == null ? defaultValue : raw, min, max);
    }

    public int intValue(QuantizerConfig c) {
        return (Integer) value(requireType(c, Type.INT));
    }

    public double realValue(QuantizerConfig c) {
        return (Double) value(requireType(c, Type.REAL));
    }

    public boolean boolValue(QuantizerConfig c) {
        return (Boolean) value(requireType(c, Type.BOOL));
    }

    public String textValue(QuantizerConfig c) {
        return (String) value(requireType(c, Type.TEXT));
    }

    /** Checks {@code raw} and returns it in canonical text form ("1e2" becomes "100.0"). */
    public String canonical(String raw) {
        return String.valueOf(parse(key, type, raw, min, max));
    }

    private Map<String, String> requireType(QuantizerConfig c, Type want) {
        if (type != want) {
            throw new IllegalStateException("knob " + key + " is " + type + ", not " + want);
        }
        return c.params();
    }

    private static Object parse(String name, Type type, String raw, double min, double max) {
        String key = "params." + name; // as the value is found in a config, and in a tuned or quantized file
        if (raw == null) {
            throw new IllegalArgumentException(key + ": missing value");
        }
        String v = raw.trim();
        switch (type) {
            case BOOL:
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException(key + ": must be true or false, got '" + raw + "'");
                }
                return Boolean.parseBoolean(v);
            case TEXT:
                return raw;
            case INT: {
                int n;
                try {
                    n = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": must be an integer, got '" + raw + "'");
                }
                checkRange(key, n, min, max);
                return n;
            }
            default: {
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": must be a number, got '" + raw + "'");
                }
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException(key + ": must be finite, got '" + raw + "'");
                }
                checkRange(key, d, min, max);
                return d;
            }
        }
    }

    private static void checkRange(String key, double v, double min, double max) {
        if ((!Double.isNaN(min) && v < min) || (!Double.isNaN(max) && v > max)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: must be in %s..%s, got %s", key,
                    Double.isNaN(min) ? "-inf" : fmt(min), Double.isNaN(max) ? "inf" : fmt(max), fmt(v)));
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
