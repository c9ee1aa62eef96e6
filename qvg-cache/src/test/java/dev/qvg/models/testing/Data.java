package dev.qvg.models.testing;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.SplittableRandom;

/** Seeded test tensors. */
public final class Data {

    private Data() {
    }

    /** Gaussian values with a few large channels, as attention keys have. */
    public static KvTensor keys(KvShape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[shape.numel()];
        int D = shape.headDim();
        for (int i = 0; i < x.length; i++) {
            int d = i % D;
            double scale = d % 17 == 3 ? 8 : 1;
            x[i] = (float) (gaussian(r) * scale + (d % 29 == 5 ? 4 : 0));
        }
        return KvTensor.wrap(shape, x);
    }

    public static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
