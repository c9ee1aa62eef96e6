package dev.qvg.example;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.tck.BaseBackendTestCase;

/** The whole conformance kit against the example backend, found the way users find it. */
class ExampleBackendConformanceTest extends BaseBackendTestCase {

    @Override
    protected Backend newBackend() {
        return Qvg.backends().getAvailable("example").create();
    }
}
