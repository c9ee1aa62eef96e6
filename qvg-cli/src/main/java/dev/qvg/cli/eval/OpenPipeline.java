package dev.qvg.cli.eval;

import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.inject.Pipelines;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;

/**
 * A quantizer assembled from the registry, holding on to its backend so that the backend's
 * threads or device memory are released when the run is over.
 */
public final class OpenPipeline implements AutoCloseable {

    private final Quantizer quantizer;
    private final Backend backend;

    private OpenPipeline(Quantizer quantizer, Backend backend) {
        this.quantizer = quantizer;
        this.backend = backend;
    }

    /**
     * Builds the pipeline of {@code config}. Guice wraps a provider's exception (an unknown
     * backend name, a config the method refuses) in a long multi-part message; the original
     * exception is rethrown instead so the user sees its one line.
     */
    public static OpenPipeline open(QuantizerConfig config) {
        Injector injector = Pipelines.injector(config);
        Backend backend = unwrap(() -> injector.getInstance(Backend.class));
        try {
            return new OpenPipeline(unwrap(() -> injector.getInstance(Quantizer.class)), backend);
        } catch (RuntimeException e) {
            closeQuietly(backend, e);
            throw e;
        }
    }

    private static <T> T unwrap(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (ProvisionException e) {
            Throwable c = e.getCause();
            while (c instanceof ProvisionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    public Quantizer quantizer() {
        return quantizer;
    }

    @Override
    public void close() {
        try {
            backend.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing backend " + backend.name() + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Backend b, RuntimeException primary) {
        try {
            b.close();
        } catch (Exception suppressed) {
            primary.addSuppressed(suppressed);
        }
    }
}
