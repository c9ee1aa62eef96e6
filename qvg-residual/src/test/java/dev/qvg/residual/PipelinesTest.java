package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipeline;
import dev.qvg.inject.Pipelines;
import dev.qvg.api.registry.ProviderNotFoundException;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import org.junit.jupiter.api.Test;

/** The user's path: a config, the Guice assembly by registry names, one part overridden. */
class PipelinesTest {

    @Test
    void guiceAssemblyGivesTheSameBitsAsAHandBuiltContext() {
        QuantizerConfig cfg = QuantizerConfig.builder().method("prq").stages(2).blockSize(16).clusters(8).build();
        Quantizer viaGuice = Pipelines.quantizer(cfg, new AbstractModule() {
            @Override
            protected void configure() {
                bind(Backend.class).to(ReferenceBackend.class);
            }
        });
        KvTensor x = Fixtures.prototypes(new KvShape(1, 2, 64, 32), 5, 0.1, 50);
        QuantizedKv a = viaGuice.quantize(x, KvRole.VALUE);
        QuantizedKv b = Fixtures.quantizer(cfg).quantize(x, KvRole.VALUE);
        assertEquals("reference", a.info().get("backend"));
        assertArrayEquals(b.blocks().codes(), a.blocks().codes());
        assertArrayEquals(b.stages().get(1).ids(), a.stages().get(1).ids());
        assertArrayEquals(Fixtures.quantizer(cfg).dequantize(b).data(), viaGuice.dequantize(a).data());
    }

    /** The reference backend, recording whether it was closed. */
    static final class ClosableBackend extends dev.qvg.api.spi.FilterBackend {
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

    @Test
    void theQuantizerOwnsItsBackendAndClosesIt() {
        ClosableBackend backend = new ClosableBackend();
        QuantizerConfig cfg = QuantizerConfig.builder().method("rtn").blockSize(16).build();
        try (Quantizer q = Pipelines.quantizer(cfg, new AbstractModule() {
            @Override
            protected void configure() {
                bind(Backend.class).toInstance(backend);
            }
        })) {
            q.quantize(Fixtures.prototypes(new KvShape(1, 1, 8, 16), 2, 0.1, 3), KvRole.KEY);
            assertFalse(backend.closed);
        }
        assertTrue(backend.closed, "closing the quantizer must close the backend it was assembled with");
    }

    @Test
    void aPartThatCannotBeBuiltFailsWithItsOwnMessageAndLeavesNothingOpen() {
        ClosableBackend backend = new ClosableBackend();
        QuantizerConfig cfg = QuantizerConfig.builder().method("nosuchmethod").build();
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class, () -> Pipeline.open(cfg,
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(Backend.class).toInstance(backend);
                    }
                }));
        assertTrue(e.getMessage().startsWith("no method provider named 'nosuchmethod'"), e.getMessage());
        assertTrue(backend.closed, "the backend built before the failure must be closed");
    }
}
