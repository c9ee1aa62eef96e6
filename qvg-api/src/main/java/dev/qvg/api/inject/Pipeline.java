package dev.qvg.api.inject;

import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import java.util.function.Supplier;

/**
 * An assembled pipeline that owns its backend: {@link #close()} releases the backend's threads
 * or device memory. Use with try-with-resources:
 *
 * <pre>{@code
 * try (Pipeline p = Pipeline.open(QuantizerConfig.publishedInt2())) {
 *     QuantizedKv q = p.quantizer().quantize(keys, KvRole.KEY);
 * }
 * }</pre>
 *
 * A part that cannot be built (an unknown provider name, a config the method refuses) fails with
 * that part's own exception and one-line message, not Guice's multi-part report, and nothing is
 * left open.
 */
public final class Pipeline implements AutoCloseable {

    private final Quantizer quantizer;
    private final Backend backend;

    private Pipeline(Quantizer quantizer, Backend backend) {
        this.quantizer = quantizer;
        this.backend = backend;
    }

    /** Assembles {@code config}'s pipeline, {@code overrides} replacing any of {@link QvgModule}'s bindings. */
    public static Pipeline open(QuantizerConfig config, Module... overrides) {
        Args.notNull(config, "config");
        Injector injector = Pipelines.injector(config, overrides);
        Backend backend = unwrap(() -> injector.getInstance(Backend.class));
        try {
            return new Pipeline(unwrap(() -> injector.getInstance(Quantizer.class)), backend);
        } catch (RuntimeException e) {
            try {
                backend.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The original exception a provider threw, instead of Guice's wrapper around it. */
    private static <T> T unwrap(Supplier<T> s) {
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

    public Backend backend() {
        return backend;
    }

    /** Closes the backend. Idempotent (backends' {@code close} is). */
    @Override
    public void close() {
        backend.close();
    }
}
