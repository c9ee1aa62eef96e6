package dev.qvg.api.registry;

/** No provider of the asked kind has the asked name on the classpath. */
public class ProviderNotFoundException extends IllegalArgumentException {
    public ProviderNotFoundException(String message) {
        super(message);
    }
}
