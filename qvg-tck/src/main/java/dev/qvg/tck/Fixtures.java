package dev.qvg.tck;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Random;

/**
 * Inputs with the hard cases every backend must get right, for the kit and for a backend's own
 * tests: exact distance ties, empty clusters, all-equal values, huge and tiny magnitudes, FP8
 * scale saturation, values exactly half way between two codes, token counts that are a multiple
 * of nothing and the head dims models use (64, 128, 256). Every generator is a pure function of
 * its {@link Random}, so a printed seed reproduces it.
 */
public final class Fixtures {

    /** The head dims of the models the project targets. */
    public static final int[] HEAD_DIMS = {64, 128, 256};

    /** Token counts that are a multiple of nothing useful (primes, 1), for {@code S}. */
    public static final int[] ODD_TOKEN_COUNTS = {1, 7, 37, 61, 127};

    /** Larger than FP8's 448 after division by any qmax up to 127, so FP8 scales saturate. */
    public static final float FP8_SATURATING_MAGNITUDE = 448f * 127f * 4f;

    private Fixtures() {
    }

    /** The kinds of block-quantizer input. */
    public enum Block {
        /** Standard normal values. */
        GAUSSIAN,
        /** Per-channel scales spanning 1e-2..1e2 plus a few outlier channels, like attention keys. */
        KEY_LIKE,
        /** Every value the same non-zero number (max == min: the asymmetric scale is MIN_SCALE). */
        ALL_EQUAL,
        /** All zeros. */
        ZEROS,
        /** Magnitudes 1e30..1e37 (no overflow of {@code max - min}), mixed signs. */
        HUGE,
        /** Magnitudes 1e-38..1e-30, subnormals and signed zeros: scales clamp to MIN_SCALE. */
        TINY,
        /** Magnitudes 1e-5..1e-2, where FP8 scales round to subnormals or to zero. */
        SMALL,
        /** Scales beyond FP8's 448 (saturating) and, asymmetric, zero points below -448. */
        FP8_SATURATING,
        /** Values exactly half way between two codes at scale 1: tests round-half-away-from-zero. */
        HALFWAY,
        /**
         * As {@link #HALFWAY} with every half nudged one ulp up or down (0.49999997, 2.5000002...):
         * catches {@code floor(x + 0.5)}, whose float addition rounds 0.49999997 up to 1.
         */
        NEAR_HALFWAY,
        /** Blocks of wildly different magnitudes in one row. */
        MIXED_MAGNITUDES;

        /** A {@code [rows, cols]} matrix of this kind for {@code config}. */
        public float[] make(Random r, int rows, int cols, BlockQuantConfig config) {
            int n = rows * cols;
            float[] x = new float[n];
            switch (this) {
                case GAUSSIAN -> fillGaussian(r, x, 1f);
                case KEY_LIKE -> {
                    float[] chan = new float[cols];
                    for (int c = 0; c < cols; c++) {
                        chan[c] = (float) Math.pow(10, -2 + 4 * r.nextDouble()) * (r.nextInt(16) == 0 ? 20f : 1f);
                    }
                    for (int i = 0; i < n; i++) {
                        x[i] = (float) (r.nextGaussian() * chan[i % cols] + 0.3 * chan[i % cols]);
                    }
                }
                case ALL_EQUAL -> java.util.Arrays.fill(x, 0.7f + r.nextInt(100) / 16f);
                case ZEROS -> {
                    for (int i = 0; i < n; i++) {
                        x[i] = r.nextBoolean() ? 0f : -0f;
                    }
                }
                case HUGE -> fillLogUniform(r, x, 30, 37);
                case TINY -> {
                    fillLogUniform(r, x, -38, -30);
                    for (int i = 0; i < n; i += 5) {
                        x[i] = r.nextBoolean() ? Float.MIN_VALUE * (1 + r.nextInt(1000)) : -0f;
                    }
                }
                case SMALL -> fillLogUniform(r, x, -5, -2);
                case FP8_SATURATING -> {
                    for (int i = 0; i < n; i++) {
                        x[i] = (float) ((r.nextDouble() * 2 - 1) * FP8_SATURATING_MAGNITUDE);
                    }
                }
                case HALFWAY -> fillHalfway(r, x, cols, config);
                case NEAR_HALFWAY -> {
                    fillHalfway(r, x, cols, config);
                    for (int i = 0; i < n; i++) {
                        if (x[i] != Math.rint(x[i])) {
                            x[i] = r.nextBoolean() ? Math.nextDown(x[i]) : Math.nextUp(x[i]);
                        }
                    }
                }
                case MIXED_MAGNITUDES -> {
                    int block = config.blockSize();
                    for (int i = 0; i < n; i += block) {
                        double mag = Math.pow(10, -20 + r.nextInt(41));
                        for (int j = i; j < i + block; j++) {
                            x[j] = (float) (r.nextGaussian() * mag);
                        }
                    }
                }
                default -> throw new IllegalStateException(name());
            }
            return x;
        }
    }

    public static void fillGaussian(Random r, float[] x, float sigma) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * sigma);
        }
    }

    /** Random signs and magnitudes log-uniform in {@code [10^lo, 10^hi]}. */
    public static void fillLogUniform(Random r, float[] x, int lo, int hi) {
        for (int i = 0; i < x.length; i++) {
            float m = (float) Math.pow(10, lo + (hi - lo) * r.nextDouble());
            x[i] = r.nextBoolean() ? m : -m;
        }
    }

    /**
     * Each block holds its extreme code exactly ({@code qmax}, and 0 when asymmetric) so the scale
     * is exactly 1 in every precision, and every other value is an odd multiple of 1/2: the code
     * depends only on how halves round.
     */
    static void fillHalfway(Random r, float[] x, int cols, BlockQuantConfig c) {
        int q = c.qmax();
        int block = c.blockSize();
        for (int start = 0; start < x.length; start += block) {
            for (int j = start; j < start + block; j++) {
                float half = r.nextInt(q) + 0.5f; // in (0, qmax)
                x[j] = c.symmetric() && r.nextBoolean() ? -half : half;
            }
            int hi = start + r.nextInt(block);
            x[hi] = c.symmetric() && r.nextBoolean() ? -q : q;
            if (!c.symmetric() && block > 1) {
                int lo = start + (hi - start + 1 + r.nextInt(block - 1)) % block; // any position but hi
                x[lo] = 0f;
            }
        }
    }

    /** Points, centroids and the batch they belong to, for the k-means kernels. */
    public record KMeansCase(SliceBatch batch, float[] points, float[] centroids, int clusters) {
    }

    /**
     * Random points and centroids near them: centroid {@code k} of slice {@code i} is a random
     * point of that slice plus noise, so distances are of similar size and close calls occur.
     */
    public static KMeansCase randomKMeans(Random r, int slices, int tokens, int dim, int clusters, float magnitude) {
        SliceBatch b = new SliceBatch(slices, tokens, dim);
        float[] p = new float[b.numel()];
        fillGaussian(r, p, magnitude);
        float[] c = new float[slices * clusters * dim];
        for (int i = 0; i < slices; i++) {
            for (int k = 0; k < clusters; k++) {
                int src = (i * tokens + r.nextInt(tokens)) * dim;
                for (int d = 0; d < dim; d++) {
                    c[(i * clusters + k) * dim + d] = p[src + d] + (float) (r.nextGaussian() * 0.3 * magnitude);
                }
            }
        }
        return new KMeansCase(b, p, c, clusters);
    }

    /**
     * Exact ties, whatever the order of summation: centroid pairs {@code (2j, 2j+1)} are mirror
     * images {@code +a e_j} and {@code -a e_j}, and every point has a zero in each coordinate
     * {@code j} used by a pair, so {@code x.c} is exactly 0 and {@code |c|^2} equal for both: the
     * distances are bit-identical and the lower index must win. The last centroid, when
     * {@code clusters} is odd, duplicates centroid 0 exactly (it can never win).
     */
    public static KMeansCase exactTies(Random r, int slices, int tokens, int dim, int clusters) {
        if (clusters < 2 || clusters / 2 > dim) {
            throw new IllegalArgumentException("clusters: need 2.." + 2 * dim + " for exact ties, got " + clusters);
        }
        SliceBatch b = new SliceBatch(slices, tokens, dim);
        int pairs = clusters / 2;
        float[] p = new float[b.numel()];
        fillGaussian(r, p, 1f);
        for (int row = 0; row < b.rows(); row++) {
            for (int j = 0; j < pairs; j++) {
                p[row * dim + j] = 0f;
            }
        }
        float[] c = new float[slices * clusters * dim];
        for (int i = 0; i < slices; i++) {
            for (int j = 0; j < pairs; j++) {
                float a = 0.25f + r.nextInt(8) * 0.125f; // exact binary fractions
                c[(i * clusters + 2 * j) * dim + j] = a;
                c[(i * clusters + 2 * j + 1) * dim + j] = -a;
            }
            if (clusters % 2 == 1) {
                System.arraycopy(c, i * clusters * dim, c, (i * clusters + clusters - 1) * dim, dim);
            }
        }
        return new KMeansCase(b, p, c, clusters);
    }

    /**
     * Well separated blobs (centres 20 sigma apart): k-means from these centroids converges to the
     * same partition on any correct backend. The last {@code empty} centroids sit far from every
     * point, so they stay empty.
     */
    public static KMeansCase blobs(Random r, int slices, int tokens, int dim, int clusters, int empty) {
        SliceBatch b = new SliceBatch(slices, tokens, dim);
        int used = clusters - empty;
        if (used < 1) {
            throw new IllegalArgumentException("empty: must leave at least one used cluster, got " + empty + " of " + clusters);
        }
        float[] centres = new float[slices * clusters * dim];
        fillGaussian(r, centres, 20f);
        for (int i = 0; i < slices; i++) {
            for (int k = used; k < clusters; k++) {
                for (int d = 0; d < dim; d++) {
                    centres[(i * clusters + k) * dim + d] = 1e4f + d;
                }
            }
        }
        float[] p = new float[b.numel()];
        float[] start = new float[centres.length];
        for (int i = 0; i < slices; i++) {
            for (int s = 0; s < tokens; s++) {
                int k = s < used ? s : r.nextInt(used); // every used cluster gets a row when it can
                for (int d = 0; d < dim; d++) {
                    p[(i * tokens + s) * dim + d] = centres[(i * clusters + k) * dim + d] + (float) r.nextGaussian();
                }
            }
            for (int k = 0; k < clusters; k++) {
                for (int d = 0; d < dim; d++) {
                    int at = (i * clusters + k) * dim + d;
                    start[at] = k < used ? centres[at] + (float) (r.nextGaussian() * 2) : centres[at];
                }
            }
        }
        return new KMeansCase(b, p, start, clusters);
    }

    /**
     * A key-like token tensor, {@code [slices, tokens, dim]}: a few prototypes per slice plus noise
     * and outlier channels, the redundancy SAS exploits.
     */
    public static float[] clusteredTokens(Random r, int slices, int tokens, int dim, int prototypes) {
        float[] x = new float[slices * tokens * dim];
        float[] chan = new float[dim];
        for (int d = 0; d < dim; d++) {
            chan[d] = r.nextInt(12) == 0 ? 8f : 1f;
        }
        float[] proto = new float[prototypes * dim];
        for (int i = 0; i < slices; i++) {
            fillGaussian(r, proto, 2f);
            for (int s = 0; s < tokens; s++) {
                int k = r.nextInt(prototypes);
                for (int d = 0; d < dim; d++) {
                    x[(i * tokens + s) * dim + d] = (proto[k * dim + d] + (float) r.nextGaussian() * 0.3f) * chan[d];
                }
            }
        }
        return x;
    }
}
