package dev.qvg.cpu;

import dev.qvg.api.tensor.SliceBatch;

/** Centroid means and centroid add/subtract, in the reference's arithmetic order. */
final class CentroidUpdate {

    private CentroidUpdate() {
    }

    /**
     * Recomputes columns {@code [d0, d1)} of slice {@code i}'s centroids: sums in double over the
     * rows in row order (the reference's order, so the result is bit-exact), then
     * {@code (float) (sum / count)}; clusters with no rows keep their values.
     */
    static void columns(SliceBatch b, float[] points, int[] ids, int clusters, float[] centroids, int i, int d0, int d1) {
        int S = b.tokens(), D = b.dim(), w = d1 - d0;
        double[] sum = new double[clusters * w];
        int[] count = new int[clusters];
        int firstRow = i * S;
        for (int s = 0; s < S; s++) {
            int row = firstRow + s;
            int k = ids[row];
            count[k]++;
            int src = row * D + d0;
            int dst = k * w;
            for (int j = 0; j < w; j++) {
                sum[dst + j] += points[src + j];
            }
        }
        for (int k = 0; k < clusters; k++) {
            if (count[k] == 0) {
                continue;
            }
            int at = (i * clusters + k) * D + d0;
            for (int j = 0; j < w; j++) {
                centroids[at + j] = (float) (sum[k * w + j] / count[k]);
            }
        }
    }

    /** {@code rows[r] += sign * centroids[ids[r]]} for rows {@code [from, to)}; sign is 1 or -1. */
    static void addRows(SliceBatch b, float[] rows, int[] ids, float[] centroids, int clusters, int from, int to,
                        int sign) {
        int S = b.tokens(), D = b.dim();
        for (int row = from; row < to; row++) {
            int c = ((row / S) * clusters + ids[row]) * D;
            int o = row * D;
            if (sign < 0) {
                for (int d = 0; d < D; d++) {
                    rows[o + d] -= centroids[c + d];
                }
            } else {
                for (int d = 0; d < D; d++) {
                    rows[o + d] += centroids[c + d];
                }
            }
        }
    }

    /** {@code out[e] += centroid value} for flat elements {@code [e0, e1)} of the batch. */
    static void addElements(SliceBatch b, float[] out, int[] ids, float[] centroids, int clusters, int e0, int e1) {
        int S = b.tokens(), D = b.dim();
        int e = e0;
        while (e < e1) {
            int row = e / D;
            int d = e - row * D;
            int end = Math.min(e1, (row + 1) * D);
            int c = ((row / S) * clusters + ids[row]) * D + d - e;
            for (int x = e; x < end; x++) {
                out[x] += centroids[c + x];
            }
            e = end;
        }
    }
}
