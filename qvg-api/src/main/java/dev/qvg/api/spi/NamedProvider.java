package dev.qvg.api.spi;

import java.util.Set;

/**
 * What every service-loaded provider is: a light, cheap-to-construct object with a stable name
 * that builds the heavy implementation on demand (as DJL's {@code EngineProvider}). A provider's
 * no-argument constructor must not touch native libraries or the registry.
 */
public interface NamedProvider {

    /** Stable name users select it by; see {@link ProviderNames}. */
    String name();

    /** Preference among available providers of one kind when no name is given; higher wins. */
    default int rank() {
        return 0;
    }

    /** Whether it can run here; checked before creating, and shown by {@code qvg backends}. */
    default Availability availability() {
        return Availability.AVAILABLE;
    }

    /** One line for listings. */
    default String description() {
        return "";
    }

    /** Feature tags for listings and capability checks, e.g. {@code bits=2,3,4,8}, {@code fp8-scales}. */
    default Set<String> capabilities() {
        return Set.of();
    }
}
