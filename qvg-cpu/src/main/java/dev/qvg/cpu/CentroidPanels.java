package dev.qvg.cpu;

import java.util.Arrays;

/**
 * One slice's centroids in the layout of {@link VectorAssign}: panels of {@code lanes} centroids,
 * each panel {@code [dim][lanes]} (so one vector load gives one dimension of {@code lanes}
 * centroids), padded with zero centroids to a multiple of {@link #group()}; plus every centroid's
 * squared norm (padding: +infinity, so a padded centroid is never nearest nor a candidate) and
 * the largest norm, for the certified arg-min. Reused from one iteration to the next.
 */
final class CentroidPanels {

    final int clusters, dim, lanes, padded;
    final float[] panels;
    final float[] norms;
    /** {@code sqrt(max norm)} over the real centroids. */
    float maxNorm;
    /** False when a norm overflowed: the error bound is void and rows are scored the reference way. */
    boolean finite;

    CentroidPanels(int clusters, int dim, int lanes) {
        this.clusters = clusters;
        this.dim = dim;
        this.lanes = lanes;
        int group = 4 * lanes;
        this.padded = (clusters + group - 1) / group * group;
        this.panels = new float[padded * dim];
        this.norms = new float[padded];
    }

    /** Centroids per register tile of the kernel. */
    int group() {
        return 4 * lanes;
    }

    /** Loads the centroids {@code centroids[cBase ..]} ({@code clusters x dim}, row-major). */
    void load(float[] centroids, int cBase) {
        float[] n = JavaAssign.norms(centroids, cBase, clusters, dim);
        System.arraycopy(n, 0, norms, 0, clusters);
        Arrays.fill(norms, clusters, padded, Float.POSITIVE_INFINITY);
        float max = 0f;
        boolean ok = true;
        for (int k = 0; k < clusters; k++) {
            ok &= Float.isFinite(n[k]);
            max = Math.max(max, n[k]);
        }
        finite = ok;
        maxNorm = (float) Math.sqrt(max);
        for (int k = 0; k < clusters; k++) {
            int panel = k / lanes, lane = k % lanes;
            int src = cBase + k * dim, dst = panel * dim * lanes + lane;
            for (int d = 0; d < dim; d++) {
                panels[dst + d * lanes] = centroids[src + d];
            }
        }
    }
}
