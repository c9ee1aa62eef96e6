package dev.qvg.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ExampleBackendDiscoveryTest {

    @Test
    void foundThroughServiceLoaderUnderItsName() {
        BackendProvider viaLoader = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("example")).findFirst().orElseThrow();
        assertEquals(ExampleBackendProvider.class, viaLoader.getClass());
        BackendProvider viaRegistry = Qvg.backends().getAvailable("example");
        assertEquals("example", viaRegistry.name());
        assertTrue(viaRegistry.availability().available());
        assertTrue(Qvg.backends().describe().contains("example"), Qvg.backends().describe());
        assertTrue(viaRegistry.rank() < 0, "ranked below every real backend, so never the default by accident");
        try (Backend b = viaRegistry.create()) {
            assertEquals("example", b.name());
        }
    }

    @Test
    void closedBackendRefusesWorkNamingItself() {
        Backend b = new ExampleBackendProvider().create();
        b.close();
        var e = assertThrows(IllegalStateException.class,
                () -> b.quantizePack(new float[8], 1, 8, BlockQuantConfig.publishedInt2().withBlockSize(8)));
        assertEquals("backend 'example' is closed", e.getMessage());
    }

    @Test
    void roundingIsHalfAwayFromZeroEvenJustBelowOneHalf() {
        assertEquals(0f, ExampleBlockFormat.roundHalfAway(0.49999997f));
        assertEquals(1f, ExampleBlockFormat.roundHalfAway(0.5f));
        assertEquals(-3f, ExampleBlockFormat.roundHalfAway(-2.5f));
        assertEquals(2f, ExampleBlockFormat.roundHalfAway(2.4999998f));
        assertEquals(-0f, ExampleBlockFormat.roundHalfAway(-0.2f));
        assertEquals(1.0e20f, ExampleBlockFormat.roundHalfAway(1.0e20f));
    }
}
