package dev.qvg.cpu;

import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import java.util.Set;

/**
 * Service-loaded factory of {@link CpuBackend} under the name {@code cpu}. Construction is cheap
 * and touches no native library; the worker pool is built by {@link #create()}.
 */
public final class CpuBackendProvider implements BackendProvider {

    public static final String NAME = "cpu";

    @Override
    public String name() {
        return NAME;
    }

    /** Above the example backend, below device backends, so a GPU wins where one is present. */
    @Override
    public int rank() {
        return 10;
    }

    @Override
    public String description() {
        return "CPU backend: results bit-exact with the reference; OpenBLAS GEMM (ND4J) for k-means distances, "
                + "pure-Java kernels elsewhere, on a bounded pool (-D" + WorkerPool.THREADS_PROPERTY + "=N); "
                + "SIMD block kernels " + Simd.status();
    }

    @Override
    public Set<String> capabilities() {
        return Set.of("bits=2,3,4,8", "bf16-scales", "fp8-scales", "asymmetric", "thread-safe");
    }

    @Override
    public Backend create() {
        return new CpuBackend();
    }
}
