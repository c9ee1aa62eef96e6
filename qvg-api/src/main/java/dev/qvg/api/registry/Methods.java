package dev.qvg.api.registry;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.QuantizerConfigFields;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.QuantizerProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What front ends ask of the method registry: a method's provider, its config as it runs, its
 * labels, the default comparison, and the check that a config's knobs are the method's own.
 */
public final class Methods {

    private Methods() {
    }

    /** The provider of {@code config.method()}; fails naming what is on the class path. */
    public static QuantizerProvider of(QuantizerConfig config) {
        return Qvg.quantizers().get(Args.notNull(config, "config").method());
    }

    /** {@code config} as its method runs it ({@link QuantizerProvider#canonical}). */
    public static QuantizerConfig canonical(QuantizerConfig config) {
        return of(config).canonical(config);
    }

    /** The short label of {@code config} ({@code prq(2)}), or the method name when it is not on the class path. */
    public static String shortLabel(QuantizerConfig config) {
        return Qvg.quantizers().contains(config.method()) ? of(config).shortLabel(config) : config.method();
    }

    /** The methods {@code qvg eval} runs when none is named, in their declared order. */
    public static List<QuantizerProvider> defaultEvalMethods() {
        List<QuantizerProvider> l = new ArrayList<>();
        for (QuantizerProvider p : Qvg.quantizers().list()) {
            if (p.defaultEvalPosition().isPresent()) {
                l.add(p);
            }
        }
        l.sort(Comparator.comparingInt((QuantizerProvider p) -> p.defaultEvalPosition().getAsInt())
                .thenComparing(QuantizerProvider::name));
        return List.copyOf(l);
    }

    /**
     * Refuses a params key that is neither one of {@code provider}'s knobs nor a key every config
     * may carry from format version 1 ({@link QuantizerConfigFields#LEGACY_KNOBS}), and a knob
     * value its knob refuses; each message names the key and, for an unknown one, the method's knobs.
     */
    public static void checkKnobs(QuantizerProvider provider, Map<String, String> params) {
        Args.notNull(provider, "provider");
        Args.notNull(params, "params");
        for (Map.Entry<String, String> e : params.entrySet()) {
            Knob knob = knob(provider, e.getKey());
            if (knob != null) {
                knob.canonical(e.getValue());
            } else if (!QuantizerConfigFields.LEGACY_KNOBS.containsKey(e.getKey())) {
                TreeSet<String> keys = new TreeSet<>();
                provider.knobs().forEach(k -> keys.add(k.key()));
                throw new IllegalArgumentException("params." + e.getKey() + ": method '" + provider.name()
                        + "' has no such knob; its knobs: " + (keys.isEmpty() ? "none" : String.join(", ", keys)));
            }
        }
    }

    /** Every preset of the methods on the class path, by name (a name two methods declare is refused). */
    public static java.util.Map<String, dev.qvg.api.spi.Preset> presets() {
        java.util.Map<String, dev.qvg.api.spi.Preset> out = new java.util.TreeMap<>();
        for (QuantizerProvider p : Qvg.quantizers().list()) {
            for (dev.qvg.api.spi.Preset preset : p.presets()) {
                if (!preset.config().method().equals(p.name())) {
                    throw new IllegalStateException("preset " + preset.name() + " of method " + p.name()
                            + " configures method " + preset.config().method());
                }
                if (out.put(preset.name(), preset) != null) {
                    throw new IllegalStateException("preset " + preset.name() + " is declared by two methods");
                }
            }
        }
        return out;
    }

    /** {@code provider}'s knob with params key {@code key}, or null. */
    public static Knob knob(QuantizerProvider provider, String key) {
        for (Knob k : provider.knobs()) {
            if (k.key().equals(key)) {
                return k;
            }
        }
        return null;
    }
}
