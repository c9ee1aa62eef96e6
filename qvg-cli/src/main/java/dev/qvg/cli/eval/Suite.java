package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The configurations an evaluation runs: every method at every bit width, PRQ once per stage
 * count. Method-specific settings follow the definitions of spec section 9: SAS is one k-means
 * stage, RTN and KIVI have none, and KIVI is asymmetric by definition.
 */
public final class Suite {

    /** Methods of the default evaluation. */
    public static final List<String> DEFAULT_METHODS = List.of("rtn", "kivi", "sas", "prq");
    /** Bit widths of the default evaluation. */
    public static final List<Integer> DEFAULT_BITS = List.of(2, 4);
    /** PRQ stage counts of the default evaluation. */
    public static final List<Integer> DEFAULT_STAGES = List.of(1, 2, 4);

    private Suite() {
    }

    /**
     * @param base    every other setting (block, clusters, k-means, scales, backend, symmetry)
     * @param methods method names; {@code prq} expands to one configuration per stage count
     * @param bits    bit widths
     * @param stages  PRQ stage counts
     */
    public static List<QuantizerConfig> of(QuantizerConfig base, List<String> methods, List<Integer> bits,
                                           List<Integer> stages) {
        List<QuantizerConfig> out = new ArrayList<>();
        for (int b : bits) {
            for (String m : methods) {
                if (m.equals("prq")) {
                    for (int s : stages) {
                        out.add(base.toBuilder().method(m).bits(b).stages(s).build());
                    }
                } else {
                    out.add(forMethod(base, m).bits(b).build());
                }
            }
        }
        return List.copyOf(out);
    }

    private static QuantizerConfig.Builder forMethod(QuantizerConfig base, String method) {
        QuantizerConfig.Builder b = base.toBuilder().method(method);
        switch (method) {
            case "sas":
                return b.stages(1);
            case "rtn":
            case "rtn-clip":
                return b.stages(0);
            case "kivi":
                return b.stages(0).symmetric(false);
            default:
                // a plug-in method: its stages are whatever the user set
                return b;
        }
    }
}
