package dev.qvg.tck;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;

/**
 * The reference kernels as a registered backend for this module's tests, which have no backend
 * jar: the method kit builds quantizers through the registry by the config's backend name.
 */
public final class ReferenceBackendTestProvider implements BackendProvider {

    static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
