package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;

/** Short names of configurations for tables and plot legends. */
public final class MethodLabels {

    private MethodLabels() {
    }

    /** {@code prq(2)} for PRQ with 2 stages, the method name otherwise. */
    public static String of(QuantizerConfig c) {
        return c.method().equals("prq") ? "prq(" + c.stages() + ")" : c.method();
    }

    /** Whether the method clusters (so {@code clusters} and {@code stages} mean something). */
    public static boolean clusters(QuantizerConfig c) {
        return c.stages() > 0;
    }
}
