package dev.qvg.example.method;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;

/**
 * How these tests build a method as a user's code would: every part looked up by its registry
 * name, on a context the test owns (a quantizer built on a context owns nothing).
 */
final class TestPipelines {

    private TestPipelines() {
    }

    /** A context on {@code backend} with the built-in clusterer, smoother and residual quantizer. */
    static QuantizerContext context(Backend backend) {
        return new QuantizerContext(backend, Qvg.clusterers().getAvailable("kmeans").create(),
                Qvg.smoothers().getAvailable("sas").create(), Qvg.residuals().getAvailable("prq").create());
    }

    /** The reference backend's context: plain loops, the definition every backend is checked against. */
    static QuantizerContext reference() {
        return context(new ReferenceBackend());
    }

    /** {@code config}'s method, found by name, on {@code context}. */
    static Quantizer method(QuantizerConfig config, QuantizerContext context) {
        return Qvg.quantizers().getAvailable(config.method()).create(config, context);
    }

    /** Mean squared error of {@code config}'s round trip of {@code x}. */
    static double mse(QuantizerConfig config, QuantizerContext context, KvTensor x, KvRole role) {
        try (Quantizer q = method(config, context)) {
            KvTensor back = q.dequantize(q.quantize(x, role));
            return ErrorMetrics.compare(x.toBhsd().data(), back.data(), x.shape().headDim()).mse();
        }
    }
}
