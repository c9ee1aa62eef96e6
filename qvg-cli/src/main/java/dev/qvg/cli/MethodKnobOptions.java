package dev.qvg.cli;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.QuantizerProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command-line options of the discovered methods' knobs ({@link QuantizerProvider#knobs()}),
 * added to a command at start-up, so a method in a jar on the class path gets its options, help
 * and validation without any change here. Several methods may share a flag; each gets the value
 * under its own key. Only knobs given on the command line go into a config: the others keep the
 * method's default.
 */
final class MethodKnobOptions {

    private MethodKnobOptions() {
    }

    /** Adds one option per distinct knob flag of the methods on the class path. */
    static void addTo(CommandSpec spec) {
        addTo(spec, false);
    }

    /**
     * As {@link #addTo(CommandSpec)}; with {@code storageOnly} (for {@code qvg plan}, which counts
     * bytes) only the knobs that can change a method's storage are offered: a knob whose other
     * value leaves the method's budget formula unchanged on probe shapes (a clipping percentile, a
     * warm start, a rotation seed) is left out. A knob of a method without a formula is kept.
     */
    static void addTo(CommandSpec spec, boolean storageOnly) {
        Map<String, List<String>> owners = new TreeMap<>();
        Map<String, Knob> first = new LinkedHashMap<>();
        Map<String, java.util.Set<String>> aliases = new TreeMap<>();
        for (QuantizerProvider p : Qvg.quantizers().list()) {
            for (Knob k : p.knobs()) {
                if (spec.findOption(k.flag()) != null && !first.containsKey(k.flag())) {
                    continue; // a built-in option of the command wins: the method's knob is not offered here
                }
                if (storageOnly && !changesStorage(p, k)) {
                    continue;
                }
                owners.computeIfAbsent(k.flag(), f -> new ArrayList<>()).add(p.name());
                first.putIfAbsent(k.flag(), k);
                for (String a : k.aliases()) {
                    if (spec.findOption(a) == null) {
                        aliases.computeIfAbsent(k.flag(), f -> new java.util.TreeSet<>()).add(a);
                    }
                }
            }
        }
        for (Map.Entry<String, Knob> e : first.entrySet()) {
            Knob k = e.getValue();
            String label = switch (k.type()) {
                case INT -> "N";
                case REAL -> "X";
                case BOOL -> "true|false";
                case TEXT -> "TEXT";
            };
            List<String> names = new ArrayList<>();
            names.add(k.flag());
            names.addAll(aliases.getOrDefault(k.flag(), java.util.Set.of()));
            spec.addOption(OptionSpec.builder(names.toArray(String[]::new)).type(String.class).paramLabel(label)
                    .description(k.help() + " [" + String.join(", ", owners.get(e.getKey())) + "]").build());
        }
    }

    /** Whether {@code flag} is a knob option of a method on the class path. */
    static boolean isKnob(String flag) {
        return Qvg.quantizers().list().stream().anyMatch(p -> p.knobs().stream()
                .anyMatch(k -> k.flag().equals(flag) || k.aliases().contains(flag)));
    }

    /** Whether another value of {@code k} can change {@code p}'s budget (true when it cannot be told). */
    static boolean changesStorage(QuantizerProvider p, Knob k) {
        String other = otherValue(k);
        if (other == null) {
            return true;
        }
        try {
            dev.qvg.api.config.QuantizerConfig base = p.canonical(
                    dev.qvg.api.config.QuantizerConfig.builder().method(p.name()).build());
            dev.qvg.api.config.QuantizerConfig changed = p.canonical(base.withParam(k.key(), other));
            for (dev.qvg.api.tensor.KvShape probe : new dev.qvg.api.tensor.KvShape[] {
                new dev.qvg.api.tensor.KvShape(1, 2, 4096, 128), new dev.qvg.api.tensor.KvShape(1, 1, 1000, 64)}) {
                for (dev.qvg.api.tensor.KvRole role : dev.qvg.api.tensor.KvRole.values()) {
                    var a = p.budget(base, probe, role);
                    var b = p.budget(changed, probe, role);
                    if (a.isEmpty() || b.isEmpty() || !a.get().equals(b.get())) {
                        return true;
                    }
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true; // a value the probe shapes cannot take (a group size, say): shape-dependent, so storage
        }
    }

    /** A valid value of {@code k} other than its default, or null when none is easy to name. */
    private static String otherValue(Knob k) {
        try {
            switch (k.type()) {
                case BOOL:
                    return Boolean.toString(!Boolean.parseBoolean(k.defaultValue()));
                case INT: {
                    long d = Long.parseLong(k.defaultValue().trim());
                    String up = Long.toString(d + 1);
                    try {
                        return k.canonical(up);
                    } catch (IllegalArgumentException e) {
                        return k.canonical(Long.toString(d - 1));
                    }
                }
                case REAL: {
                    double d = Double.parseDouble(k.defaultValue());
                    double o = Double.isNaN(k.max()) ? d + 1 : (d + k.max()) / 2;
                    return o == d ? k.canonical(Double.toString(Double.isNaN(k.min()) ? d - 1 : (d + k.min()) / 2))
                            : k.canonical(Double.toString(o));
                }
                default:
                    return null;
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The knob flags given on the command line, with their values. */
    static Map<String, String> given(CommandSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        ParseResult pr = spec.commandLine().getParseResult();
        for (QuantizerProvider p : Qvg.quantizers().list()) {
            for (Knob k : p.knobs()) {
                if (pr != null && pr.hasMatchedOption(k.flag()) && spec.findOption(k.flag()) != null) {
                    out.put(k.flag(), pr.matchedOptionValue(k.flag(), ""));
                }
            }
        }
        return out;
    }

    /** The params of {@code method} from the given flags; a bad value is a usage error naming the flag. */
    static Map<String, String> paramsFor(CommandSpec spec, QuantizerProvider method, Map<String, String> given) {
        Map<String, String> params = new TreeMap<>();
        for (Knob k : method.knobs()) {
            String v = given.get(k.flag());
            if (v != null) {
                try {
                    params.put(k.key(), k.canonical(v));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), k.flag() + ": " + e.getMessage()
                            .substring(e.getMessage().indexOf(": ") + 2));
                }
            }
        }
        return params;
    }
}
