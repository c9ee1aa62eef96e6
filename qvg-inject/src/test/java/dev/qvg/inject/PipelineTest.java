package dev.qvg.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.ProviderNotFoundException;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.FilterBackend;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.Smoother;
import org.junit.jupiter.api.Test;

/**
 * Assembly by registry names, user modules overriding a part, ownership of the backend, and the
 * one-line failure of a part that is missing or refuses its config (issue 17). The providers are
 * this module's {@link TestProviders}; there is no clusterer provider on this class path.
 */
class PipelineTest {

    /** The reference kernels, recording whether they were closed. */
    static final class ClosableBackend extends FilterBackend {
        volatile boolean closed;

        ClosableBackend() {
            super(new ReferenceBackend());
        }

        @Override
        public String name() {
            return "closable";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static QuantizerConfig.Builder named(String method, String clusterer) {
        return QuantizerConfig.builder().method(method).backend("testref").clusterer(clusterer).smoother("stub")
                .residual("stub");
    }

    /** Binds the parts given (non-null) in place of the registry's. */
    private static Module with(Backend backend, Clusterer clusterer) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                if (backend != null) {
                    bind(Backend.class).toInstance(backend);
                }
                if (clusterer != null) {
                    bind(Clusterer.class).toInstance(clusterer);
                }
            }
        };
    }

    private static Clusterer stubClusterer() {
        return TestProviders.stub(Clusterer.class, "stub clusterer");
    }

    @Test
    void assemblesEachPartByNameAndAUserModuleReplacesOne() {
        QuantizerConfig cfg = named("echo", "kmeans").build();
        Injector inj = Pipelines.injector(cfg, with(null, stubClusterer()));
        assertInstanceOf(ReferenceBackend.class, inj.getInstance(Backend.class));
        assertSame(inj.getInstance(Backend.class), inj.getInstance(Backend.class), "one backend per pipeline");
        assertEquals("stub smoother", inj.getInstance(Smoother.class).toString(), "the smoother named in the config");
        TestProviders.EchoQuantizer q = assertInstanceOf(TestProviders.EchoQuantizer.class, inj.getInstance(Quantizer.class));
        assertSame(cfg, q.config);
        assertSame(inj.getInstance(Backend.class), q.context.backend(), "the method runs on the pipeline's backend");

        Backend mine = new ReferenceBackend();
        Injector overridden = Pipelines.injector(cfg, with(mine, stubClusterer()));
        assertSame(mine, overridden.getInstance(Backend.class));
        assertSame(mine, ((TestProviders.EchoQuantizer) overridden.getInstance(Quantizer.class)).context.backend());
    }

    @Test
    void theQuantizerOwnsItsBackendAndClosesItWithTheMethodsQuantizer() {
        ClosableBackend backend = new ClosableBackend();
        TestProviders.EchoQuantizer inner;
        try (Quantizer q = Pipelines.quantizer(named("echo", "kmeans").build(), with(backend, stubClusterer()))) {
            assertFalse(backend.closed);
            assertEquals("echo", q.config().method());
            try (Pipeline p = Pipeline.open(named("echo", "kmeans").build(), with(backend, stubClusterer()))) {
                inner = (TestProviders.EchoQuantizer) p.quantizer();
                assertSame(backend, p.backend());
            }
            assertTrue(backend.closed, "closing the pipeline closes its backend");
            assertFalse(inner.closed, "a pipeline's quantizer is the method's own: the pipeline closes the backend");
            backend.closed = false;
        }
        assertTrue(backend.closed, "closing the quantizer must close the backend it was assembled with");
    }

    @Test
    void aPartNamedButNotOnTheClassPathFailsWithOneLineNamingTheArtifactToAdd() {
        ClosableBackend backend = new ClosableBackend();
        QuantizerConfig cfg = named("echo", "kmeans").build();
        for (Runnable assemble : new Runnable[] {
            () -> Pipeline.open(cfg),
            () -> Pipeline.open(cfg, with(backend, null)),
            () -> Pipelines.quantizer(cfg, with(backend, null)),
        }) {
            backend.closed = false;
            ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class, assemble::run,
                    "not Guice's ProvisionException");
            String m = e.getMessage();
            assertEquals(1, m.lines().count(), m);
            assertTrue(m.startsWith("no clusterer provider named 'kmeans' (dev.qvg.api.spi.ClustererProvider);"
                    + " on the classpath: none."), m);
            assertTrue(m.contains("Add the jar that provides it (qvg's own: dev.qvg:qvg-smoothing;"
                    + " the whole default pipeline: dev.qvg:qvg-all)"), m);
            assertTrue(m.contains("META-INF/services/dev.qvg.api.spi.ClustererProvider"), m);
        }
        assertTrue(backend.closed, "the backend built before the failure must be closed");

        // the raw injector is Guice's: there the same failure is wrapped, with the one line as its cause
        ProvisionException raw = assertThrows(ProvisionException.class,
                () -> Pipelines.injector(cfg).getInstance(Quantizer.class));
        assertInstanceOf(ProviderNotFoundException.class, raw.getCause());
    }

    @Test
    void anUnnamedPartWithNoProviderFailsWhenTheConfigIsBuiltNamingTheArtifact() {
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> QuantizerConfig.builder().method("echo").backend("testref").smoother("stub").residual("stub").build());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("no clusterer named in the config and no available clusterer provider"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Add the jar that provides one (qvg's own: dev.qvg:qvg-smoothing;"
                + " the whole default pipeline: dev.qvg:qvg-all), or name the clusterer explicitly."), e.getMessage());
    }

    @Test
    void anUnknownMethodOrAConfigTheMethodRefusesFailsWithItsOwnMessageAndLeavesNothingOpen() {
        ClosableBackend backend = new ClosableBackend();
        ProviderNotFoundException unknown = assertThrows(ProviderNotFoundException.class,
                () -> Pipeline.open(named("nosuchmethod", "kmeans").build(), with(backend, stubClusterer())));
        assertTrue(unknown.getMessage().startsWith("no method provider named 'nosuchmethod'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("echo, refuses") || unknown.getMessage().contains("refuses, echo"),
                unknown.getMessage());
        assertTrue(backend.closed, "the backend built before the failure must be closed");

        backend.closed = false;
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Pipelines.quantizer(named("refuses", "kmeans").build(), with(backend, stubClusterer())));
        assertEquals("refuses: bits must be 5, got 2", refused.getMessage());
        assertTrue(backend.closed);
    }

    @Test
    void aFailureWithoutASingleCauseIsOneLineWithGuicesReportKept() {
        QuantizerConfig cfg = named("echo", "kmeans").build();
        // two modules binding the same part cannot be combined: Guice's CreationException
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Pipeline.open(cfg, with(null, stubClusterer()), with(null, stubClusterer())));
        assertTrue(e.getMessage().startsWith("cannot assemble the pipeline: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertInstanceOf(com.google.inject.CreationException.class, e.getCause());

        // a part bound to null: Guice's ProvisionException with no cause of its own
        ClosableBackend backend = new ClosableBackend();
        IllegalStateException nul = assertThrows(IllegalStateException.class, () -> Pipeline.open(cfg,
                with(backend, null), new AbstractModule() {
                    @com.google.inject.Provides
                    Clusterer none() {
                        return null;
                    }
                }));
        assertTrue(nul.getMessage().startsWith("cannot assemble the pipeline: "), nul.getMessage());
        assertTrue(nul.getMessage().contains("null"), nul.getMessage());
        assertEquals(1, nul.getMessage().lines().count(), nul.getMessage());
        assertInstanceOf(ProvisionException.class, nul.getCause());
        assertTrue(backend.closed, "the backend built before the failure must be closed");
    }
}
