package dev.qvg.reliability;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipelines;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.SplittableRandom;

/** Builds quantizers through the public assembly path and makes seeded test tensors. */
final class Quantize {

    static final String THREADS_PROPERTY = "qvg.cpu.threads";

    private Quantize() {
    }

    /**
     * A quantizer for {@code config} whose cpu backend has {@code threads} workers. The backend
     * reads the {@value #THREADS_PROPERTY} system property when it is built; the property is
     * restored afterwards so no other test sees it.
     */
    static synchronized Quantizer quantizer(QuantizerConfig config, int threads) {
        String old = System.getProperty(THREADS_PROPERTY);
        System.setProperty(THREADS_PROPERTY, Integer.toString(threads));
        try {
            return Pipelines.quantizer(config);
        } finally {
            if (old == null) {
                System.clearProperty(THREADS_PROPERTY);
            } else {
                System.setProperty(THREADS_PROPERTY, old);
            }
        }
    }

    static QuantizedKv run(QuantizerConfig config, int threads, KvTensor x, KvRole role) {
        return quantizer(config, threads).quantize(x, role);
    }

    /**
     * Gaussian values with a few large-magnitude channels (as keys have), exactly representable in
     * bf16 so a tensor written as BF16 and read back is bit-identical to the one in memory.
     */
    static KvTensor tensor(KvShape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[shape.numel()];
        int d = shape.headDim();
        for (int i = 0; i < x.length; i++) {
            double v = r.nextGaussian();
            if (i % d == 3 || i % d == d - 2) {
                v = v * 8 + 20;
            }
            x[i] = dev.qvg.api.tensor.Bf16.toFloat(dev.qvg.api.tensor.Bf16.fromFloat((float) v));
        }
        return KvTensor.wrap(shape, x);
    }
}
