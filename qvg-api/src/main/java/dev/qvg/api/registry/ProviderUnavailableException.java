package dev.qvg.api.registry;

/** The provider is on the classpath but cannot run here (no driver, no GPU, ...); the message says why. */
public class ProviderUnavailableException extends IllegalStateException {
    public ProviderUnavailableException(String message) {
        super(message);
    }
}
