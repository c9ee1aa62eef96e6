package dev.qvg.inject;

import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import java.util.Collection;
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
 * A part that cannot be built fails with that part's own exception and one-line message, not
 * Guice's multi-part report, and nothing is left open: a part named in the config whose jar is
 * not on the class path fails with {@code ProviderNotFoundException} naming the artifact to add
 * (no {@code kmeans} clusterer: add {@code dev.qvg:qvg-smoothing}), a config the method refuses
 * with the method's {@code IllegalArgumentException}.
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
        Injector injector = unwrap(() -> Pipelines.injector(config, overrides));
        Backend backend = unwrap(() -> injector.getInstance(Backend.class));
        try {
            return new Pipeline(unwrap(() -> injector.getInstance(Quantizer.class)), backend);
        } catch (RuntimeException | Error e) {
            try {
                backend.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Runs {@code s}, turning Guice's multi-line reports into one line: the exception a provider
     * threw (a missing part's {@code ProviderNotFoundException} naming the artifact to add, a
     * config the method refuses) is rethrown as it is; a failure with no single cause (a binding
     * that gave null, modules that cannot be combined) becomes an {@link IllegalStateException}
     * with Guice's first message, Guice's report kept as its cause.
     */
    static <T> T unwrap(Supplier<T> s) {
        try {
            return s.get();
        } catch (ProvisionException | CreationException | ConfigurationException e) {
            Throwable c = e.getCause();
            while (isGuices(c) && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof RuntimeException re && !isGuices(re)) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            Collection<Message> messages = e instanceof ProvisionException p ? p.getErrorMessages()
                    : e instanceof CreationException ce ? ce.getErrorMessages()
                    : ((ConfigurationException) e).getErrorMessages();
            String first = messages.isEmpty() ? String.valueOf(e.getMessage())
                    : messages.iterator().next().getMessage();
            throw new IllegalStateException("cannot assemble the pipeline: "
                    + first.strip().lines().findFirst().orElse("")
                    + (c != null && !isGuices(c) ? " (" + c + ")" : ""), e);
        }
    }

    /** Guice's own report of a failure, whose message is many lines. */
    private static boolean isGuices(Throwable t) {
        return t instanceof ProvisionException || t instanceof CreationException || t instanceof ConfigurationException;
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
