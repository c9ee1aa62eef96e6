package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.smoothing.KMeansClusterer;
import dev.qvg.smoothing.SasSmoother;
import java.util.Random;

/** A hand-built context on the reference backend, and seeded test tensors. */
final class Fixtures {

    private Fixtures() {
    }

    static QuantizerContext context() {
        return new QuantizerContext(new ReferenceBackend(), new KMeansClusterer(), new SasSmoother(),
                new PrqResidualQuantizer());
    }

    /** The registered provider of {@code cfg.method()} over {@link #context()}. */
    static Quantizer quantizer(QuantizerConfig cfg) {
        return Qvg.quantizers().get(cfg.method()).create(cfg, context());
    }

    static KvTensor gaussian(KvShape shape, long seed) {
        Random r = new Random(seed);
        float[] x = new float[shape.numel()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return KvTensor.wrap(shape, x);
    }

    /**
     * The structure of video tokens: each slice's tokens are near-copies of {@code prototypes}
     * prototype rows (values of scale 4, a few channels with 5x larger outliers as keys have),
     * plus gaussian noise of standard deviation {@code noise}.
     */
    static KvTensor prototypes(KvShape shape, int prototypes, double noise, long seed) {
        Random r = new Random(seed);
        int S = shape.tokens(), D = shape.headDim();
        float[] x = new float[shape.numel()];
        for (int i = 0; i < shape.slices(); i++) {
            float[][] p = new float[prototypes][D];
            for (float[] row : p) {
                for (int d = 0; d < D; d++) {
                    row[d] = (float) (4 * r.nextGaussian() * (d % 16 == 3 ? 5 : 1));
                }
            }
            for (int s = 0; s < S; s++) {
                float[] proto = p[r.nextInt(prototypes)];
                for (int d = 0; d < D; d++) {
                    x[(i * S + s) * D + d] = proto[d] + (float) (noise * r.nextGaussian());
                }
            }
        }
        return KvTensor.wrap(shape, x);
    }

    static double relL2(KvTensor ref, KvTensor approx) {
        return ErrorMetrics.compare(ref.toBhsd().data(), approx.toBhsd().data(), ref.shape().headDim()).relL2();
    }
}
