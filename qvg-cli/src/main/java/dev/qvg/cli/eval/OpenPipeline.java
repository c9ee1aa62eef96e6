package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipeline;
import dev.qvg.api.spi.Quantizer;

/**
 * A quantizer assembled from the registry, holding on to its backend so that the backend's
 * threads or device memory are released when the run is over: the CLI's name for
 * {@link Pipeline} (a part that cannot be built fails with its own one-line exception).
 */
public final class OpenPipeline implements AutoCloseable {

    private final Pipeline pipeline;

    private OpenPipeline(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** Builds the pipeline of {@code config}. */
    public static OpenPipeline open(QuantizerConfig config) {
        return new OpenPipeline(Pipeline.open(config));
    }

    public Quantizer quantizer() {
        return pipeline.quantizer();
    }

    @Override
    public void close() {
        try {
            pipeline.close();
        } catch (RuntimeException e) {
            throw new IllegalStateException("closing backend " + pipeline.backend().name() + ": " + e.getMessage(), e);
        }
    }
}
