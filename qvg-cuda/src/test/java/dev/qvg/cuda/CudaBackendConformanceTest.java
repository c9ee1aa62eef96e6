package dev.qvg.cuda;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.tck.BaseBackendTestCase;
import org.junit.jupiter.api.Tag;

/**
 * The whole conformance kit against the {@code cuda} backend, looked up as users do. Where no
 * GPU is usable every group is skipped, printing the reason.
 */
@Tag("gpu")
class CudaBackendConformanceTest extends BaseBackendTestCase {

    @Override
    protected Backend newBackend() {
        GpuAssumptions.assumeGpu("CudaBackendConformanceTest");
        return Qvg.backends().getAvailable(CudaBackendProvider.NAME).create();
    }
}
