package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.CoreSetting;

/** Short names of configurations for tables and plot legends, as their methods give them. */
public final class MethodLabels {

    private MethodLabels() {
    }

    /** The method's short label ({@code prq(2)}), or its name when the method is not on the class path. */
    public static String of(QuantizerConfig c) {
        return Methods.shortLabel(c);
    }

    /** Whether the method clusters (so {@code clusters} and {@code stages} mean something). */
    public static boolean clusters(QuantizerConfig c) {
        return Qvg.quantizers().contains(c.method()) ? Methods.of(c).settings().contains(CoreSetting.KMEANS) && c.stages() > 0
                : c.stages() > 0;
    }
}
