package dev.qvg.api.config;

import dev.qvg.api.registry.ProviderNotFoundException;
import dev.qvg.api.registry.ProviderRegistry;

/** The name a config gets for a provider kind the user did not name: the registry's default. */
final class DefaultProviders {

    private DefaultProviders() {
    }

    static String name(ProviderRegistry<?> registry) {
        try {
            return registry.defaultProvider().name();
        } catch (ProviderNotFoundException e) {
            throw new ProviderNotFoundException("no " + registry.kind() + " named in the config and " + e.getMessage()
                    + ". Add the jar that provides one (dev.qvg:" + artifactFor(registry.kind())
                    + "), or name the " + registry.kind() + " explicitly.");
        }
    }

    /** The qvg artifact holding the built-in providers of {@code kind}. */
    private static String artifactFor(String kind) {
        return switch (kind) {
            case "backend" -> "qvg-cpu";
            case "clusterer", "smoother" -> "qvg-smoothing";
            default -> "qvg-residual";
        };
    }
}
