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
                    + ". Add the jar that provides one" + (registry.jarHint() == null ? ""
                            : " (" + registry.jarHint() + ")")
                    + ", or name the " + registry.kind() + " explicitly.");
        }
    }
}
