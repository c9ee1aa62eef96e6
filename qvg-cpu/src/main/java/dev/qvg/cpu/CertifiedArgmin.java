package dev.qvg.cpu;

import dev.qvg.api.reference.ReferenceKernels;

/**
 * The reference's nearest centroid from distances computed in another order (a GEMM, FMA
 * vectors), made exact by a certified re-check.
 *
 * <p>A distance {@code g_k} computed as {@code |x|^2 - 2 x.c + |c|^2} with the three sums in
 * any order (fused or not) and the reference's float distance {@code r_k} are both within
 * {@code (gamma_D + 2u)(|x| + |c_k|)^2} of the exact distance (the standard dot-product error
 * bound, {@code u = 2^-24}), so {@code |g_k - r_k| <= B} with
 * {@code B = 2 (D + 4) u (|x| + max_k |c_k|)^2}; {@link #bound} is twice that. Every reference
 * minimiser then has {@code g_k <= min g + 2B}: when only one cluster is that close it is the
 * reference's answer, otherwise the few candidates are re-scored with the reference's own
 * arithmetic, in index order, ties to the lowest index.
 */
final class CertifiedArgmin {

    private static final float UNIT_ROUNDOFF = 0x1p-24f;

    private CertifiedArgmin() {
    }

    /** The round-off window of one row: {@code 4 (D + 4) u (|x| + maxNorm)^2}. */
    static float bound(float rowSquaredNorm, float maxCentroidNorm, int dim) {
        float span = (float) Math.sqrt(rowSquaredNorm) + maxCentroidNorm;
        return 4f * (dim + 4) * UNIT_ROUNDOFF * span * span;
    }

    /**
     * The reference's choice among the clusters whose computed distance {@code g[gAt + k]} is at
     * most {@code limit}, re-scored with {@link ReferenceKernels#distance}.
     */
    static int rescore(float[] points, int xAt, int dim, float[] centroids, int cBase, int clusters, float[] g,
                       int gAt, float limit) {
        int best = 0;
        float bestD = Float.POSITIVE_INFINITY;
        for (int k = 0; k < clusters; k++) {
            if (g[gAt + k] <= limit) {
                float dist = ReferenceKernels.distance(points, xAt, centroids, cBase + k * dim, dim);
                if (dist < bestD) {
                    bestD = dist;
                    best = k;
                }
            }
        }
        return best;
    }
}
