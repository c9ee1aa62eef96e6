package dev.qvg.cuda;

import dev.qvg.api.spi.Backend;
import dev.qvg.tck.BaseBackendTestCase;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole conformance kit against {@link CudaBackend} on the host emulation of the device: the
 * backend's own Java code with the kernels' own bodies, every group of the kit, without a GPU.
 * What it cannot see (the device compiler, JCuda, real streams and memory) is left to
 * {@link CudaBackendConformanceTest} on a GPU.
 */
class EmulatedConformanceTest extends BaseBackendTestCase {

    @BeforeAll
    static void emulator() {
        HostEmulator.requireFor("EmulatedConformanceTest");
    }

    @Override
    protected Backend newBackend() {
        return new CudaBackend(new EmulatedDevice());
    }
}
