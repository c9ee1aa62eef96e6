package dev.qvg.residual;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;

/**
 * This module's tests have no backend jar (qvg-cpu test-depends on this module through qvg-tck):
 * the reference kernels, registered so that configs built without a backend name resolve one.
 */
public final class ReferenceBackendTestProvider implements BackendProvider {

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
