package dev.qvg.bench;

import java.util.SplittableRandom;

/**
 * Seeded synthetic KV with the structure of video tokens: many tokens are near-copies of a few
 * prototypes (spec section 4), keys carry a few large per-channel outliers. Kernel timings do not
 * depend much on the values, but k-means convergence and the codes' distribution do, so the data
 * has the structure the method is built for rather than being uniform noise.
 */
public final class BenchData {

    private static final int PROTOTYPES = 64;
    private static final float NOISE = 0.1f;
    private static final int OUTLIER_CHANNELS = 4;
    private static final float OUTLIER_GAIN = 8f;

    private BenchData() {
    }

    /** {@code rows x dim} floats, row-major: prototypes plus Gaussian noise, with key-like outlier channels. */
    public static float[] videoLike(int rows, int dim, long seed) {
        if (rows <= 0 || dim <= 0) {
            throw new IllegalArgumentException("videoLike: rows and dim must be positive, got " + rows + " x " + dim);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] protos = new float[PROTOTYPES * dim];
        for (int i = 0; i < protos.length; i++) {
            protos[i] = (float) rnd.nextGaussian();
        }
        float[] gain = new float[dim];
        java.util.Arrays.fill(gain, 1f);
        for (int i = 0; i < OUTLIER_CHANNELS; i++) {
            gain[rnd.nextInt(dim)] = OUTLIER_GAIN;
        }
        float[] x = new float[Math.multiplyExact(rows, dim)];
        for (int r = 0; r < rows; r++) {
            int p = rnd.nextInt(PROTOTYPES) * dim;
            for (int d = 0; d < dim; d++) {
                x[r * dim + d] = gain[d] * (protos[p + d] + NOISE * (float) rnd.nextGaussian());
            }
        }
        return x;
    }

    /** {@code count} centroids drawn from the rows of {@code x} (a k-means start), deterministic for the seed. */
    public static float[] rowsOf(float[] x, int rows, int dim, int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] c = new float[count * dim];
        for (int k = 0; k < count; k++) {
            System.arraycopy(x, rnd.nextInt(rows) * dim, c, k * dim, dim);
        }
        return c;
    }
}
