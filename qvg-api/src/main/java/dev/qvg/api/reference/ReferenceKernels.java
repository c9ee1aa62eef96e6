package dev.qvg.api.reference;

import dev.qvg.api.tensor.SliceBatch;

/**
 * The k-means and centroid kernels written as plainly as possible: the executable definition
 * every backend is compared against (see {@link ReferenceBackend}). Single-threaded and slow
 * on purpose; use a real backend for work.
 */
public final class ReferenceKernels {

    private ReferenceKernels() {
    }

    /**
     * Squared Euclidean distance in the form the original computes it,
     * {@code |x|^2 - 2 x.c + |c|^2}, with float32 dot products accumulated in index order.
     */
    public static float distance(float[] x, int xAt, float[] c, int cAt, int dim) {
        float xx = 0f, cc = 0f, xc = 0f;
        for (int d = 0; d < dim; d++) {
            float a = x[xAt + d], b = c[cAt + d];
            xx += a * a;
            cc += b * b;
            xc += a * b;
        }
        return xx - 2f * xc + cc;
    }

    /** Nearest centroid of one row, ties to the lowest index. */
    public static int nearest(float[] x, int xAt, float[] c, int cBase, int clusters, int dim) {
        int best = 0;
        float bestD = Float.POSITIVE_INFINITY;
        for (int k = 0; k < clusters; k++) {
            float dist = distance(x, xAt, c, cBase + k * dim, dim);
            if (dist < bestD) {
                bestD = dist;
                best = k;
            }
        }
        return best;
    }

    public static void assign(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                              boolean[] active) {
        KernelArgs.checkAssign(b, points, centroids, clusters, ids, changed, active);
        int S = b.tokens(), D = b.dim();
        for (int i = 0; i < b.slices(); i++) {
            if (active != null && !active[i]) {
                continue;
            }
            int ch = 0;
            for (int s = 0; s < S; s++) {
                int row = i * S + s;
                int id = nearest(points, row * D, centroids, i * clusters * D, clusters, D);
                if (ids[row] != id) {
                    ch++;
                }
                ids[row] = id;
            }
            changed[i] = ch;
        }
    }

    /** Means accumulated in double, in row order; an empty cluster keeps its centroid. */
    public static void updateCentroids(SliceBatch b, float[] points, int[] ids, int clusters, float[] centroids,
                                       boolean[] active) {
        KernelArgs.checkUpdate(b, points, ids, clusters, centroids, active);
        int S = b.tokens(), D = b.dim();
        double[] sum = new double[clusters * D];
        int[] count = new int[clusters];
        for (int i = 0; i < b.slices(); i++) {
            if (active != null && !active[i]) {
                continue;
            }
            java.util.Arrays.fill(sum, 0);
            java.util.Arrays.fill(count, 0);
            for (int s = 0; s < S; s++) {
                int row = i * S + s;
                int k = ids[row];
                count[k]++;
                for (int d = 0; d < D; d++) {
                    sum[k * D + d] += points[row * D + d];
                }
            }
            for (int k = 0; k < clusters; k++) {
                if (count[k] == 0) {
                    continue;
                }
                int at = (i * clusters + k) * D;
                for (int d = 0; d < D; d++) {
                    centroids[at + d] = (float) (sum[k * D + d] / count[k]);
                }
            }
        }
    }

    public static void subtractCentroids(SliceBatch b, float[] points, int[] ids, float[] centroids, int clusters) {
        KernelArgs.checkRows(b, "points", points, ids, centroids, clusters);
        int S = b.tokens(), D = b.dim();
        for (int row = 0; row < b.rows(); row++) {
            int at = ((row / S) * clusters + ids[row]) * D;
            for (int d = 0; d < D; d++) {
                points[row * D + d] -= centroids[at + d];
            }
        }
    }

    public static void accumulateCentroids(SliceBatch b, float[] out, int[] ids, float[] centroids, int clusters) {
        KernelArgs.checkRows(b, "out", out, ids, centroids, clusters);
        int S = b.tokens(), D = b.dim();
        for (int row = 0; row < b.rows(); row++) {
            int at = ((row / S) * clusters + ids[row]) * D;
            for (int d = 0; d < D; d++) {
                out[row * D + d] += centroids[at + d];
            }
        }
    }
}
