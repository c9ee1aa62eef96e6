package dev.qvg.api.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.BackendProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    @Test
    void findsProvidersByNameThroughServiceLoader() {
        assertEquals(List.of("ghost", "testref"), Qvg.backends().list().stream().map(BackendProvider::name).toList());
        assertInstanceOf(ReferenceBackend.class, Qvg.backends().getAvailable("testref").create());
    }

    @Test
    void findsProvidersThroughTheSpiTypesLoaderWhenTheContextLoaderCannotSeeThem() throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        try (java.net.URLClassLoader blind = new java.net.URLClassLoader(new java.net.URL[0],
                ClassLoader.getPlatformClassLoader())) {
            t.setContextClassLoader(blind);
            ProviderRegistry<BackendProvider> r = new ProviderRegistry<>(BackendProvider.class, "backend");
            assertTrue(r.contains("testref"), "providers on the SPI's own class path must be found: " + r.list());
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    @Test
    void missingProviderNamesWhatIsThereAndWhatToAdd() {
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class, () -> Qvg.backends().get("tpu"));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
        assertTrue(e.getMessage().contains("ghost, testref") || e.getMessage().contains("testref, ghost"), e.getMessage());
        assertTrue(e.getMessage().contains("META-INF/services/dev.qvg.api.spi.BackendProvider"), e.getMessage());
        assertTrue(e.getMessage().contains("(qvg's own: dev.qvg:qvg-cpu, for NVIDIA GPUs dev.qvg:qvg-cuda;"
                + " the whole default pipeline: dev.qvg:qvg-all)"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void unavailableProviderExplainsWhy() {
        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                () -> Qvg.backends().getAvailable("ghost"));
        assertTrue(e.getMessage().contains("no ghost device"), e.getMessage());
    }

    @Test
    void defaultSkipsUnavailableAndHonoursTheProperty() {
        // ghost ranks higher but is unavailable
        assertEquals("testref", Qvg.backends().defaultProvider().name());
        System.setProperty("qvg.backend", "ghost");
        try {
            assertThrows(ProviderUnavailableException.class, () -> Qvg.backends().defaultProvider());
        } finally {
            System.clearProperty("qvg.backend");
        }
    }

    @Test
    void describeListsEveryProviderWithAvailability() {
        String d = Qvg.describeEnvironment();
        assertTrue(d.contains("testref") && d.contains("available") && d.contains("[bits=2,3,4,8]"), d);
        assertTrue(d.contains("UNAVAILABLE (no ghost device on this machine)"), d);
        assertTrue(d.contains("method: none on the classpath"), d);
    }

    @Test
    void badProviderNamesInConfigsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerConfig.builder().method("m").backend("my backend").build());
        assertTrue(e.getMessage().startsWith("backend: invalid provider name"), e.getMessage());
    }

    @Test
    void aContextFromTheRegistryNamesAMissingPartBeforeMakingABackend() {
        QuantizerConfig cfg = dev.qvg.api.config.ConfigTest.named().build(); // clusterer "c": none on this class path
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> dev.qvg.api.spi.QuantizerContext.fromRegistry(cfg));
        assertTrue(e.getMessage().contains("clusterer") && e.getMessage().contains("'c'"), e.getMessage());
    }
}
