package dev.qvg.cli;

import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Preset;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.cli.eval.Suite;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The quantizer settings shared by {@code eval}, {@code compress}, {@code plan} and {@code tune}
 * (everything but the method, bit width and stage count, which {@code eval} takes as lists);
 * methods' own knobs are added by {@link MethodKnobOptions}. Defaults are the published INT2
 * configuration. Bad values are usage errors (exit code 2), reported with the option's name.
 */
public final class QuantOptions {

    @Option(names = "--block", paramLabel = "B", description = "Block size along the head dim (default: ${DEFAULT-VALUE}).")
    int block = 64;

    @Option(names = "--clusters", paramLabel = "K", description = "k-means clusters per stage (default: 256; rollout: 32).")
    int clusters = 256;

    @Option(names = "--iters", paramLabel = "I", description = "Maximum k-means iterations per stage (default: ${DEFAULT-VALUE}).")
    int iters = 100;

    @Option(names = "--tol", paramLabel = "T",
            description = "k-means stops when fewer than this fraction of ids change (default: ${DEFAULT-VALUE}).")
    double tol = 1e-4;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the k-means draws (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--init", paramLabel = "random|kmeans++", description = "k-means initialisation (default: ${DEFAULT-VALUE}).")
    String init = "random";

    @Option(names = "--asymmetric", description = "Asymmetric (zero-point) block quantization; KIVI always is.")
    boolean asymmetric;

    @Option(names = "--scale", paramLabel = "bf16|fp8", description = "Precision of scales and zeros (default: ${DEFAULT-VALUE}).")
    String scale = "bf16";

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend provider (default: the highest-ranked available one, or QVG_BACKEND; see 'qvg backends').")
    String backend;

    @Option(names = "--k-bits", paramLabel = "N", description = "Code bits of keys, replacing --bits for them.")
    Integer kBits;

    @Option(names = "--v-bits", paramLabel = "N", description = "Code bits of values, replacing --bits for them.")
    Integer vBits;

    @Option(names = "--k-clusters", paramLabel = "K", description = "Clusters per stage for keys, replacing --clusters.")
    Integer kClusters;

    @Option(names = "--v-clusters", paramLabel = "K", description = "Clusters per stage for values, replacing --clusters.")
    Integer vClusters;

    @Option(names = "--k-stages", paramLabel = "S", description = "Smoothing stages for keys, replacing --stages.")
    Integer kStages;

    @Option(names = "--v-stages", paramLabel = "S", description = "Smoothing stages for values, replacing --stages.")
    Integer vStages;

    @Option(names = "--preset", paramLabel = "NAME", split = ",",
            description = "Named configurations with their sources (qvg-int2, qvg-pro, sglang-int2, sglang-int4 and"
                    + " plug-ins'; listed by 'qvg backends'). Options that would change what a preset sets are refused"
                    + " beside it; --backend and --seed are not part of a preset.")
    List<String> presets;

    @Option(names = SettingGuards.OVERRIDE,
            description = "Run settings that cannot compress (clusters not fewer than the tokens of a slice, 16 or more"
                    + " bits per value) instead of refusing them.")
    boolean allowNoCompression;

    /**
     * The options refused when no chosen method reads their setting: those that change what a
     * method computes when it does read them (a stage count, a block size). The k-means options
     * are shared by scripts across methods (one command line for rtn and sas) and the symmetry
     * option agrees with an asymmetric-by-definition method, so those are not refused.
     */
    private static final Map<CoreSetting, List<String>> SETTING_FLAGS = Map.of(
            CoreSetting.BLOCK_SIZE, List.of("--block"),
            CoreSetting.STAGES, List.of("--stages", "--k-stages", "--v-stages"));

    /** The base configuration (the default method, 1 stage, 2 bits until the caller sets them). */
    public QuantizerConfig base(CommandSpec spec) {
        try {
            return QuantizerConfig.builder()
                    .backend(backend)
                    .blockSize(block)
                    .symmetric(!asymmetric)
                    .scalePrecision(ScalePrecision.parse(scale))
                    .kmeans(new dev.qvg.api.config.KMeansConfig(clusters, iters, tol, seed, KMeansInit.parse(init)))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * The configurations to run: {@code methods} (null or empty: the default method) at each bit
     * width, a method whose stage count is a setting once per stage count, each method with the
     * knobs given for it, each as the method runs it. A shared option given explicitly that no
     * chosen method reads, or a knob option of no chosen method, is a usage error naming the
     * methods that would use it: a setting is never silently ignored.
     */
    public List<QuantizerConfig> suite(CommandSpec spec, List<String> methods, List<Integer> bits, List<Integer> stages) {
        if (presets != null && !presets.isEmpty()) {
            return fromPresets(spec);
        }
        List<String> names = methods == null || methods.isEmpty()
                ? List.of(Qvg.quantizers().defaultProvider().name()) : methods;
        QuantizerConfig base = base(spec);
        checkProviders(spec, new java.util.LinkedHashSet<>(names), base.backend());
        List<QuantizerProvider> chosen = names.stream().map(n -> Qvg.quantizers().get(n)).toList();
        ParseResult pr = spec.commandLine().getParseResult();
        for (Map.Entry<CoreSetting, List<String>> e : SETTING_FLAGS.entrySet()) {
            for (String flag : e.getValue()) {
                if (pr != null && spec.findOption(flag) != null && pr.hasMatchedOption(flag)
                        && chosen.stream().noneMatch(p -> p.settings().contains(e.getKey()))) {
                    throw new ParameterException(spec.commandLine(), flag + ": not a setting of " + describe(chosen)
                            + usersOf(p -> p.settings().contains(e.getKey())));
                }
            }
        }
        Map<String, String> knobs = MethodKnobOptions.given(spec);
        for (String flag : knobs.keySet()) {
            if (chosen.stream().noneMatch(p -> p.knobs().stream().anyMatch(k -> k.flag().equals(flag)))) {
                throw new ParameterException(spec.commandLine(), flag + ": not a knob of " + describe(chosen)
                        + usersOf(p -> p.knobs().stream().anyMatch(k -> k.flag().equals(flag))));
            }
        }
        try {
            return Suite.of(base, chosen, bits, stages, p -> MethodKnobOptions.paramsFor(spec, p, knobs));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** Whether any key- or value-only setting was given. */
    boolean splitsKv() {
        return kBits != null || vBits != null || kClusters != null || vClusters != null || kStages != null
                || vStages != null;
    }

    /** Refuses key- or value-only settings in a command that applies one configuration to both. */
    public void refuseKvSplit(CommandSpec spec, String command) {
        if (splitsKv()) {
            throw new ParameterException(spec.commandLine(), "--k-*/--v-* settings: " + command + " runs one"
                    + " configuration for keys and values; use eval, compress or plan for separate settings");
        }
    }

    /**
     * {@code c} for tensors of {@code role}: the key- or value-only settings replace the shared
     * ones, and the result is the method's canonical config; a bad value is a usage error naming it.
     */
    QuantizerConfig forRole(CommandSpec spec, QuantizerConfig c, dev.qvg.api.tensor.KvRole role) {
        boolean key = role == dev.qvg.api.tensor.KvRole.KEY;
        Integer b = key ? kBits : vBits, k = key ? kClusters : vClusters, st = key ? kStages : vStages;
        if (b == null && k == null && st == null) {
            return c;
        }
        String p = key ? "--k-" : "--v-";
        QuantizerProvider m = Methods.of(c);
        try {
            QuantizerConfig.Builder out = c.toBuilder();
            if (b != null) {
                out.bits(b);
            }
            if (k != null) {
                out.clusters(k);
            }
            if (st != null && m.settings().contains(CoreSetting.STAGES)) {
                out.stages(st);
            }
            return m.canonical(out.build());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), p + "*: " + e.getMessage(), e);
        }
    }

    /**
     * One column per configuration, each tensor run with its role's version of it; a (tensor,
     * configuration) pair an earlier column already runs is left out (with --k-bits 4, every
     * --bits width gives the same key configuration).
     */
    List<dev.qvg.cli.eval.Evaluator.Column> columns(CommandSpec spec, List<QuantizerConfig> configs) {
        List<dev.qvg.cli.eval.Evaluator.Column> out = new java.util.ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            QuantizerConfig c = configs.get(i);
            List<QuantizerConfig> earlier = configs.subList(0, i);
            out.add(new dev.qvg.cli.eval.Evaluator.Column(dev.qvg.cli.eval.MethodLabels.of(c), t -> {
                QuantizerConfig r = forRole(spec, c, t.role());
                boolean repeated = earlier.stream().anyMatch(e -> forRole(spec, e, t.role()).equals(r));
                return repeated ? null : r;
            }));
        }
        return out;
    }

    /**
     * The presets' configurations, with the user's backend and seed; any other option that sets
     * part of a configuration conflicts with the preset (which one should win is not for us to guess).
     */
    private List<QuantizerConfig> fromPresets(CommandSpec spec) {
        ParseResult pr = spec.commandLine().getParseResult();
        refuseConfigOptions(spec, "--preset " + String.join(",", presets) + ", which sets the configuration",
                java.util.Set.of("--backend", "--seed", "--preset"));
        Map<String, Preset> known;
        try {
            known = Methods.presets();
        } catch (IllegalStateException e) {
            throw new ParameterException(spec.commandLine(), "--preset: " + e.getMessage());
        }
        List<QuantizerConfig> out = new java.util.ArrayList<>();
        for (String name : presets) {
            Preset p = known.get(name);
            if (p == null) {
                throw new ParameterException(spec.commandLine(), "--preset: unknown preset '" + name + "'; available: "
                        + (known.isEmpty() ? "none" : String.join(", ", known.keySet())));
            }
            QuantizerConfig.Builder b = p.config().toBuilder();
            if (backend != null) {
                b.backend(backend);
            }
            if (pr != null && pr.hasMatchedOption("--seed")) {
                b.seed(seed);
            }
            QuantizerConfig c = b.build();
            checkProviders(spec, List.of(c.method()), c.backend());
            out.add(Methods.of(c).canonical(c));
        }
        return List.copyOf(out);
    }

    /**
     * Refuses every option given that would set part of a configuration (the method, bits, stages,
     * a shared quantizer option or a method's knob) when {@code beside} already sets it whole,
     * except those {@code allowed}: which one should win is not for us to guess.
     */
    static void refuseConfigOptions(CommandSpec spec, String beside, java.util.Set<String> allowed) {
        ParseResult pr = spec.commandLine().getParseResult();
        for (var o : spec.options()) {
            String name = o.longestName();
            boolean setsConfig = name.equals("--method") || name.equals("--bits") || name.equals("--stages")
                    || MethodKnobOptions.isKnob(name) || (declaredHere(name) && !name.equals(SettingGuards.OVERRIDE));
            if (setsConfig && !allowed.contains(name) && pr != null && pr.hasMatchedOption(name)) {
                throw new ParameterException(spec.commandLine(), name + ": conflicts with " + beside
                        + "; drop one of them");
            }
        }
    }

    /** Whether {@code name} is one of this class's options. */
    static boolean declaredHere(String name) {
        for (java.lang.reflect.Field f : QuantOptions.class.getDeclaredFields()) {
            Option o = f.getAnnotation(Option.class);
            if (o != null && java.util.Arrays.asList(o.names()).contains(name)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(List<QuantizerProvider> chosen) {
        return (chosen.size() == 1 ? "method " : "methods ")
                + String.join(", ", chosen.stream().map(QuantizerProvider::name).toList());
    }

    private static String usersOf(java.util.function.Predicate<QuantizerProvider> uses) {
        List<String> l = Qvg.quantizers().list().stream().filter(uses).map(QuantizerProvider::name).toList();
        return l.isEmpty() ? "" : "; methods that take it: " + String.join(", ", l);
    }

    /**
     * Adds the options of the discovered methods' knobs to {@code spec} (a command with this
     * mixin outside qvg-cli, such as qvg-spark's sweep, calls it once before parsing).
     */
    public static void addMethodKnobs(CommandSpec spec) {
        MethodKnobOptions.addTo(spec);
    }

    /** Fails as a usage error when no provider of that name is on the classpath. */
    public static void requireKnown(CommandSpec spec, String what, boolean found, String name, String known) {
        if (!found) {
            throw new ParameterException(spec.commandLine(), "unknown " + what + " '" + name + "'; available: " + known);
        }
    }

    /**
     * Usage error unless {@code method} and {@code backend} name registered providers; a
     * registered backend unavailable here throws {@code ProviderUnavailableException} (bad input).
     */
    public static void checkProviders(CommandSpec spec, Iterable<String> methods, String backend) {
        for (String m : methods) {
            requireKnown(spec, "method", Qvg.quantizers().contains(m), m, names(Qvg.quantizers().list()));
        }
        if (backend != null) {
            requireKnown(spec, "backend", Qvg.backends().contains(backend), backend, names(Qvg.backends().list()));
            // a registered backend that cannot run here (no GPU, say) fails now, before any work: exit 1
            Qvg.backends().getAvailable(backend);
        }
    }

    private static String names(java.util.List<? extends dev.qvg.api.spi.NamedProvider> l) {
        return l.isEmpty() ? "none" : String.join(", ", l.stream().map(dev.qvg.api.spi.NamedProvider::name).toList());
    }
}
