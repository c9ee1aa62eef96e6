package dev.qvg.tools;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.residual.PrqResidualQuantizer;
import dev.qvg.smoothing.KMeansClusterer;
import dev.qvg.smoothing.SasSmoother;
import java.util.Random;

/**
 * What the tools' tests run on (as qvg-residual's own tests do): a hand-built context on the
 * reference backend and seeded tensors.
 */
public final class Fixtures {

    private Fixtures() {
    }

    public static QuantizerContext context() {
        return new QuantizerContext(new ReferenceBackend(), new KMeansClusterer(), new SasSmoother(),
                new PrqResidualQuantizer());
    }

    /** The registered provider of {@code cfg.method()} over {@link #context()}. */
    public static Quantizer quantizer(QuantizerConfig cfg) {
        return Qvg.quantizers().get(cfg.method()).create(cfg, context());
    }

    public static KvTensor gaussian(KvShape shape, long seed) {
        Random r = new Random(seed);
        float[] x = new float[shape.numel()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return KvTensor.wrap(shape, x);
    }
}
