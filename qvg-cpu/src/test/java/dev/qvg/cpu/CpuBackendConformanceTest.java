package dev.qvg.cpu;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.tck.BaseBackendTestCase;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole conformance kit (qvg-tck) against the {@code cpu} backend, found through its
 * services entry, with the SIMD kernels compiled and in use where the JVM allows them (the build
 * runs the kit again with {@code -Dqvg.cpu.simd=false} for the scalar kernels).
 */
class CpuBackendConformanceTest extends BaseBackendTestCase {

    @BeforeAll
    static void simdKernelsInUse() throws InterruptedException {
        System.out.println("[qvg-cpu] conformance kit with SIMD block kernels " + (Simd.warmUpNow() ? "in use" : Simd.status()));
    }

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
