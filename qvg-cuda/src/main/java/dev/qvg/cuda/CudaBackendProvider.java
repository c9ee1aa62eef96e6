package dev.qvg.cuda;

import dev.qvg.api.spi.Availability;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import java.util.Set;

/**
 * The {@code cuda} backend: NVIDIA GPUs through the JCuda driver API. Ranked above the CPU
 * backend so that it is the default wherever a GPU is usable; where it is not,
 * {@link #availability()} says why (no driver, no GPU) and the registry falls back.
 */
public final class CudaBackendProvider implements BackendProvider {

    public static final String NAME = "cuda";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return 20;
    }

    @Override
    public Availability availability() {
        return CudaProbe.availability();
    }

    @Override
    public String description() {
        return "NVIDIA GPU kernels (PTX via the JCuda driver API), bit-exact with the reference";
    }

    @Override
    public Set<String> capabilities() {
        return Set.of("bits=2,3,4,8", "bf16-scales", "fp8-scales", "asymmetric", "fused-decode", "bf16-decode");
    }

    @Override
    public Backend create() {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("cuda backend: unavailable here: " + a.reason());
        }
        return new CudaBackend(CudaDevice.open(Integer.getInteger("qvg.cuda.device", 0)));
    }
}
