package dev.qvg.api.reference;

import dev.qvg.api.config.KMeansInit;

/**
 * First centroids of one slice (spec section 3, step 1). Both methods copy rows of the slice,
 * so a centroid always starts on a data point; both draw from the slice's own generator only.
 */
public final class CentroidInit {

    private CentroidInit() {
    }

    /**
     * Writes {@code clusters} initial centroids of the slice starting at {@code points[pointsAt]}
     * ({@code tokens} rows of {@code dim}) into {@code out[outAt..]}.
     */
    public static void init(KMeansInit method, SplitMix64 rng, float[] points, int pointsAt, int tokens, int dim,
                     int clusters, float[] out, int outAt) {
        switch (method) {
            case RANDOM:
                random(rng, points, pointsAt, tokens, dim, clusters, out, outAt);
                break;
            case KMEANS_PLUS_PLUS:
                plusPlus(rng, points, pointsAt, tokens, dim, clusters, out, outAt);
                break;
            default:
                throw new IllegalArgumentException("init: unsupported method " + method);
        }
    }

    /**
     * The original's default: {@code clusters} rows drawn uniformly <em>with replacement</em>
     * (as {@code torch.randint}), so duplicates are possible, and certain when the slice has
     * fewer rows than clusters. A duplicate centroid loses every tie to its lower-index twin
     * and stays empty, keeping its value.
     *
     * <p>The draws depend on the generator and the row count only, never on the rows' values: a
     * device backend draws the row numbers on the host and gathers the rows where the data lives
     * (qvg-cuda relies on this, and its tests fail if it changes).
     */
    static void random(SplitMix64 rng, float[] points, int pointsAt, int tokens, int dim, int clusters,
                       float[] out, int outAt) {
        for (int k = 0; k < clusters; k++) {
            int row = rng.nextInt(tokens);
            System.arraycopy(points, pointsAt + row * dim, out, outAt + k * dim, dim);
        }
    }

    /**
     * k-means++ (Arthur and Vassilvitskii, 2007) without local trials: the first centroid is a
     * uniform row; each next one is a row drawn with probability proportional to its squared
     * distance (in double) to the nearest centroid chosen so far. When every row already sits
     * on a chosen centroid (fewer distinct rows than clusters), the draw falls back to uniform,
     * so the result has duplicates exactly as random init would.
     */
    static void plusPlus(SplitMix64 rng, float[] points, int pointsAt, int tokens, int dim, int clusters,
                         float[] out, int outAt) {
        double[] nearest = new double[tokens];
        java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        int row = rng.nextInt(tokens);
        for (int k = 0; k < clusters; k++) {
            if (k > 0) {
                row = drawProportional(rng, nearest);
            }
            int c = outAt + k * dim;
            System.arraycopy(points, pointsAt + row * dim, out, c, dim);
            if (k + 1 < clusters) {
                for (int s = 0; s < tokens; s++) {
                    int p = pointsAt + s * dim;
                    double d2 = 0;
                    for (int d = 0; d < dim; d++) {
                        double diff = (double) points[p + d] - out[c + d];
                        d2 += diff * diff;
                    }
                    if (d2 < nearest[s]) {
                        nearest[s] = d2;
                    }
                }
            }
        }
    }

    private static int drawProportional(SplitMix64 rng, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            return rng.nextInt(weights.length);
        }
        double target = rng.nextDouble() * total;
        double acc = 0;
        int last = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                acc += weights[i];
                last = i;
                if (target < acc) {
                    return i;
                }
            }
        }
        // Summation round-off can leave target just above the running sum: take the last
        // row with positive weight, never a row that already is a centroid.
        return last;
    }
}
