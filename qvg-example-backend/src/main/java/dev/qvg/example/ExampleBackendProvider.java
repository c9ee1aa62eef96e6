package dev.qvg.example;

import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import java.util.Set;

/**
 * The light half of the example backend: cheap to construct (ServiceLoader builds one just to
 * list it), builds the backend only on {@link #create()}. Registered in
 * {@code META-INF/services/dev.qvg.api.spi.BackendProvider}; nothing else refers to it.
 */
public final class ExampleBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "example";
    }

    /** Below every real backend, so it is never picked as the default by accident. */
    @Override
    public int rank() {
        return -100;
    }

    @Override
    public String description() {
        return "deliberately simple single-threaded pure-Java backend (template for extension authors)";
    }

    @Override
    public Set<String> capabilities() {
        return Set.of("bits=2,3,4,8", "fp8-scales", "asymmetric", "fused-decode");
    }

    @Override
    public Backend create() {
        return new ExampleBackend(name());
    }
}
