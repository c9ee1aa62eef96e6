package dev.qvg.api.registry;

import dev.qvg.api.spi.BackendProvider;
import dev.qvg.api.spi.ClustererProvider;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.spi.ResidualQuantizerProvider;
import dev.qvg.api.spi.SmootherProvider;

/**
 * The registries of every SPI, initialised lazily in holder classes (a lookup during start-up
 * cannot deadlock on class initialisation), and a one-call dump of what was discovered.
 */
public final class Qvg {

    private Qvg() {
    }

    private static final class Backends {
        static final ProviderRegistry<BackendProvider> R =
                new ProviderRegistry<>(BackendProvider.class, "backend", ownJars("dev.qvg:qvg-cpu, for NVIDIA GPUs dev.qvg:qvg-cuda"));
    }

    private static final class Clusterers {
        static final ProviderRegistry<ClustererProvider> R =
                new ProviderRegistry<>(ClustererProvider.class, "clusterer", ownJars("dev.qvg:qvg-smoothing"));
    }

    private static final class Smoothers {
        static final ProviderRegistry<SmootherProvider> R =
                new ProviderRegistry<>(SmootherProvider.class, "smoother", ownJars("dev.qvg:qvg-smoothing"));
    }

    private static final class Residuals {
        static final ProviderRegistry<ResidualQuantizerProvider> R =
                new ProviderRegistry<>(ResidualQuantizerProvider.class, "residual", ownJars("dev.qvg:qvg-residual"));
    }

    private static final class Quantizers {
        static final ProviderRegistry<QuantizerProvider> R =
                new ProviderRegistry<>(QuantizerProvider.class, "method", ownJars("dev.qvg:qvg-residual"));
    }

    /** The hint a missing provider's message gives: qvg's own jars of the kind, and the aggregate. */
    private static String ownJars(String coordinates) {
        return "qvg's own: " + coordinates + "; the whole default pipeline: dev.qvg:qvg-all";
    }

    public static ProviderRegistry<BackendProvider> backends() {
        return Backends.R;
    }

    public static ProviderRegistry<ClustererProvider> clusterers() {
        return Clusterers.R;
    }

    public static ProviderRegistry<SmootherProvider> smoothers() {
        return Smoothers.R;
    }

    public static ProviderRegistry<ResidualQuantizerProvider> residuals() {
        return Residuals.R;
    }

    public static ProviderRegistry<QuantizerProvider> quantizers() {
        return Quantizers.R;
    }

    /** Every discovered provider of every kind, for {@code qvg backends} and bug reports. */
    public static String describeEnvironment() {
        return "qvg providers (java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cpus)\n"
                + backends().describe() + clusterers().describe() + smoothers().describe() + residuals().describe()
                + quantizers().describe();
    }
}
