package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import org.junit.jupiter.api.Test;

class CpuBackendProviderTest {

    @Test
    void discoveredThroughTheRegistryUnderItsName() {
        BackendProvider p = Qvg.backends().get("cpu");
        assertInstanceOf(CpuBackendProvider.class, p);
        assertEquals(10, p.rank());
        assertTrue(p.availability().available());
        assertTrue(p.capabilities().contains("bits=2,3,4,8"));
        assertTrue(p.capabilities().contains("fp8-scales"));
        try (Backend backend = p.create()) {
            assertEquals("cpu", backend.name());
            assertInstanceOf(CpuBackend.class, backend);
        }
    }
}
