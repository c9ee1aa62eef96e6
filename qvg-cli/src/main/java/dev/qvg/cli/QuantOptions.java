package dev.qvg.cli;

import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.registry.Qvg;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The quantizer settings shared by {@code eval} and {@code compress} (everything but the method,
 * bit width and stage count, which {@code eval} takes as lists). Defaults are the published INT2
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

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend provider (default: ${DEFAULT-VALUE}; see 'qvg backends').")
    String backend = "cpu";

    @Option(names = "--clip-percentile", paramLabel = "P", description = "Percentile of |x| kept by rtn-clip (default: ${DEFAULT-VALUE}).")
    double clipPercentile = 99.0;

    @Option(names = "--kivi-group", paramLabel = "G", description = "KIVI group size (default: ${DEFAULT-VALUE}).")
    int kiviGroup = 32;

    @Option(names = "--kivi-residual", paramLabel = "N", description = "KIVI recent tokens kept in bf16 (default: ${DEFAULT-VALUE}).")
    int kiviResidual = 128;

    /** The base configuration (method {@code prq}, 1 stage, 2 bits until the caller sets them). */
    public QuantizerConfig base(CommandSpec spec) {
        try {
            return QuantizerConfig.builder()
                    .backend(backend)
                    .blockSize(block)
                    .symmetric(!asymmetric)
                    .scalePrecision(ScalePrecision.parse(scale))
                    .kmeans(new dev.qvg.api.config.KMeansConfig(clusters, iters, tol, seed, KMeansInit.parse(init)))
                    .clipPercentile(clipPercentile)
                    .kiviGroupSize(kiviGroup)
                    .kiviResidualTokens(kiviResidual)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
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
