package dev.qvg.cpu;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.tck.BaseBackendTestCase;

/** The whole conformance kit (qvg-tck) against the {@code cpu} backend, found through its services entry. */
class CpuBackendConformanceTest extends BaseBackendTestCase {

    @Override
    protected Backend newBackend() {
        return Qvg.backends().getAvailable("cpu").create();
    }

    /** Its provider lists {@code thread-safe}: the kit also checks concurrent calls. */
    @Override
    protected boolean threadSafe() {
        return true;
    }
}
