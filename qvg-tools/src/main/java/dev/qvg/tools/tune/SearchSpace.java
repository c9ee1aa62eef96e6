package dev.qvg.tools.tune;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.QuantizerProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * The configurations the tuner may choose from: every combination of code {@code bits},
 * {@code stages} and k-means {@code clusters} (clusters only matter with at least one stage),
 * on top of {@code base} (its method, block size, scales, backend, k-means iterations and seed,
 * knobs). Stages and clusters vary only when the base's method reads them
 * ({@link CoreSetting#STAGES}, {@link CoreSetting#KMEANS}); each candidate is canonical for its
 * method. With the default method (progressive residual quantization), {@code stages = 0} is
 * plain block quantization and {@code 1} is SAS.
 */
public record SearchSpace(QuantizerConfig base, List<Integer> bits, List<Integer> stages, List<Integer> clusters) {

    /** The default search: what {@code qvg tune} and {@code qvg sweep --tune-*} try unless told otherwise. */
    public static final List<Integer> DEFAULT_BITS = List.of(2, 3, 4, 8);
    public static final List<Integer> DEFAULT_STAGES = List.of(0, 1, 2);
    public static final List<Integer> DEFAULT_CLUSTERS = List.of(64, 128, 256);

    public SearchSpace {
        if (base == null) {
            throw new IllegalArgumentException("base: must not be null");
        }
        bits = nonEmpty("bits", bits);
        stages = nonEmpty("stages", stages);
        clusters = nonEmpty("clusters", clusters);
        for (int b : bits) {
            new BlockQuantConfig(b, base.quant().blockSize(), base.quant().symmetric(), base.quant().scalePrecision());
        }
        for (int s : stages) {
            if (s < 0 || s > QuantizerConfig.MAX_STAGES) {
                throw new IllegalArgumentException("stages: must be in 0.." + QuantizerConfig.MAX_STAGES + ", got " + s);
            }
        }
        for (int k : clusters) {
            if (k < 1 || k > KMeansConfig.MAX_CLUSTERS) {
                throw new IllegalArgumentException("clusters: must be in 1.." + KMeansConfig.MAX_CLUSTERS + ", got " + k);
            }
        }
    }

    private static List<Integer> nonEmpty(String name, List<Integer> l) {
        if (l == null || l.isEmpty()) {
            throw new IllegalArgumentException(name + ": the search needs at least one value");
        }
        return List.copyOf(l);
    }

    /** Bits 2, 3, 4, 8; 0 to 2 stages; 64, 128 or 256 clusters; the published config otherwise. */
    public static SearchSpace defaults(QuantizerConfig base) {
        return new SearchSpace(base, DEFAULT_BITS, DEFAULT_STAGES, DEFAULT_CLUSTERS);
    }

    /** Every distinct candidate configuration. */
    public List<QuantizerConfig> candidates() {
        QuantizerProvider method = Methods.of(base);
        boolean varyStages = method.settings().contains(CoreSetting.STAGES);
        boolean varyClusters = method.settings().contains(CoreSetting.KMEANS);
        List<QuantizerConfig> out = new ArrayList<>();
        for (int b : bits) {
            for (int s : varyStages ? stages : List.of(base.stages())) {
                if (varyStages && s == 0 || !varyClusters) {
                    out.add(method.canonical(base.toBuilder().bits(b).stages(s).build()));
                    continue;
                }
                for (int k : clusters) {
                    out.add(method.canonical(base.toBuilder().bits(b).stages(s).clusters(k).build()));
                }
            }
        }
        return out.stream().distinct().toList();
    }
}
