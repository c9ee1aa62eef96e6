package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.QuantizerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The configurations an evaluation runs: every method at every bit width, a method whose stage
 * count is a setting ({@link CoreSetting#STAGES}) once per stage count, each as its provider
 * runs it ({@link QuantizerProvider#canonical}: a one-stage method has one stage, an
 * asymmetric-by-definition method is asymmetric). No method is named here.
 */
public final class Suite {

    /** Bit widths of the default evaluation. */
    public static final List<Integer> DEFAULT_BITS = List.of(2, 4);
    /** Stage counts of the default evaluation (methods whose stage count is a setting). */
    public static final List<Integer> DEFAULT_STAGES = List.of(1, 2, 4);

    private Suite() {
    }

    /** The methods of the default evaluation: those that declare a place in it, in that order. */
    public static List<String> defaultMethods() {
        return Methods.defaultEvalMethods().stream().map(QuantizerProvider::name).toList();
    }

    /**
     * @param base    every other setting (block, clusters, k-means, scales, backend, symmetry)
     * @param methods method names (on the class path)
     * @param bits    bit widths
     * @param stages  stage counts, for methods whose stage count is a setting
     */
    public static List<QuantizerConfig> of(QuantizerConfig base, List<String> methods, List<Integer> bits,
                                           List<Integer> stages) {
        return of(base, methods.stream().map(m -> Qvg.quantizers().get(m)).toList(), bits, stages, p -> Map.of());
    }

    /** As {@link #of(QuantizerConfig, List, List, List)}, with each method's knobs from {@code knobs}. */
    public static List<QuantizerConfig> of(QuantizerConfig base, List<QuantizerProvider> methods, List<Integer> bits,
                                           List<Integer> stages, Function<QuantizerProvider, Map<String, String>> knobs) {
        List<QuantizerConfig> out = new ArrayList<>();
        for (int b : bits) {
            for (QuantizerProvider m : methods) {
                QuantizerConfig.Builder c = base.toBuilder().method(m.name()).bits(b).params(knobs.apply(m));
                if (m.settings().contains(CoreSetting.STAGES)) {
                    for (int s : stages) {
                        out.add(m.canonical(c.stages(s).build()));
                    }
                } else {
                    out.add(m.canonical(c.build()));
                }
            }
        }
        return List.copyOf(out);
    }
}
