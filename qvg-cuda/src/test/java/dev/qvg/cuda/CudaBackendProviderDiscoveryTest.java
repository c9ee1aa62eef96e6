package dev.qvg.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.qvg.api.registry.ProviderUnavailableException;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Availability;
import dev.qvg.api.spi.BackendProvider;
import org.junit.jupiter.api.Test;

/** Discovery and the unavailable path, which every machine without a GPU takes (this one included). */
class CudaBackendProviderDiscoveryTest {

    @Test
    void theRegistryFindsTheCudaProviderByName() {
        BackendProvider p = Qvg.backends().get("cuda");
        assertEquals(CudaBackendProvider.class, p.getClass());
        assertEquals(20, p.rank());
        assertTrue(p.capabilities().contains("fp8-scales"), p.capabilities().toString());
    }

    @Test
    void availabilityIsCachedAndNeverThrows() {
        Availability a = new CudaBackendProvider().availability();
        assertSame(a, new CudaBackendProvider().availability(), "probed once per JVM");
        assertFalse(a.reason().isBlank());
        System.out.println("cuda availability here: " + a);
    }

    @Test
    void withoutAGpuTheRegistryExplainsWhyCudaCannotBeUsed() {
        Availability a = Qvg.backends().get("cuda").availability();
        assumeFalse(a.available(), "this machine has a usable GPU; the unavailable path is not reachable");
        assertTrue(a.reason().startsWith("no CUDA driver") || a.reason().startsWith("no GPU")
                || a.reason().startsWith("CUDA driver unusable") || a.reason().startsWith("JCuda driver binding"),
                a.reason());
        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                () -> Qvg.backends().getAvailable("cuda"));
        assertTrue(e.getMessage().contains(a.reason()), e.getMessage());
        assertTrue(Qvg.backends().describe().contains("UNAVAILABLE (" + a.reason() + ")"), Qvg.backends().describe());
        IllegalStateException c = assertThrows(IllegalStateException.class, () -> new CudaBackendProvider().create());
        assertTrue(c.getMessage().contains(a.reason()), c.getMessage());
    }
}
