package dev.qvg.cpu;

/**
 * Nearest-centroid assignment in pure Java, bit-exact with
 * {@link dev.qvg.api.reference.ReferenceKernels#assign}.
 *
 * <p>Why it is exact: the reference accumulates {@code x.c} in float32 over {@code d} in index
 * order. Here the centroids are transposed so the inner loop runs over clusters
 * ({@code acc[k] += x[d] * cT[d][k]}, an axpy the JIT vectorises), and {@code d} is the outer
 * loop in index order, so every {@code acc[k]} sees the same additions in the same order. Java
 * never fuses the multiply and add, and {@code |x|^2}, {@code |c|^2} and the final
 * {@code xx - 2 xc + cc} are computed exactly as the reference does.
 *
 * <p>Four rows share each pass over the transposed centroids (four accumulator arrays in one
 * loop: one load of {@code cT[d][k]} feeds four multiply-adds), which measured about twice as
 * fast as one row at a time; leftover rows go one at a time.
 */
final class JavaAssign {

    private JavaAssign() {
    }

    /** Transposes one slice's {@code [K, D]} centroids to {@code [D, K]}. */
    static float[] pack(float[] centroids, int cBase, int clusters, int dim) {
        float[] p = new float[clusters * dim];
        for (int k = 0; k < clusters; k++) {
            int src = cBase + k * dim;
            for (int d = 0; d < dim; d++) {
                p[d * clusters + k] = centroids[src + d];
            }
        }
        return p;
    }

    /** {@code |c_k|^2} accumulated in index order, as the reference. */
    static float[] norms(float[] centroids, int cBase, int clusters, int dim) {
        float[] n = new float[clusters];
        for (int k = 0; k < clusters; k++) {
            float cc = 0f;
            int at = cBase + k * dim;
            for (int d = 0; d < dim; d++) {
                float b = centroids[at + d];
                cc += b * b;
            }
            n[k] = cc;
        }
        return n;
    }

    /**
     * Assigns rows {@code [rowStart, rowEnd)} (absolute row indices) and returns how many ids
     * changed, with {@code cT} from {@link #pack}.
     */
    static int assignRows(float[] points, int dim, float[] cT, float[] cNorms, int clusters,
                          int rowStart, int rowEnd, int[] ids) {
        int K = clusters;
        float[] a0 = new float[K], a1 = new float[K], a2 = new float[K], a3 = new float[K];
        int changed = 0;
        int row = rowStart;
        for (; row + 3 < rowEnd; row += 4) {
            java.util.Arrays.fill(a0, 0f);
            java.util.Arrays.fill(a1, 0f);
            java.util.Arrays.fill(a2, 0f);
            java.util.Arrays.fill(a3, 0f);
            int x0 = row * dim, x1 = x0 + dim, x2 = x1 + dim, x3 = x2 + dim;
            for (int d = 0; d < dim; d++) {
                float v0 = points[x0 + d], v1 = points[x1 + d], v2 = points[x2 + d], v3 = points[x3 + d];
                int c = d * K;
                for (int k = 0; k < K; k++) {
                    float cv = cT[c + k];
                    a0[k] += v0 * cv;
                    a1[k] += v1 * cv;
                    a2[k] += v2 * cv;
                    a3[k] += v3 * cv;
                }
            }
            changed += finish(points, dim, cNorms, K, row, a0, ids);
            changed += finish(points, dim, cNorms, K, row + 1, a1, ids);
            changed += finish(points, dim, cNorms, K, row + 2, a2, ids);
            changed += finish(points, dim, cNorms, K, row + 3, a3, ids);
        }
        for (; row < rowEnd; row++) {
            java.util.Arrays.fill(a0, 0f);
            int x0 = row * dim;
            for (int d = 0; d < dim; d++) {
                float v0 = points[x0 + d];
                int c = d * K;
                for (int k = 0; k < K; k++) {
                    a0[k] += v0 * cT[c + k];
                }
            }
            changed += finish(points, dim, cNorms, K, row, a0, ids);
        }
        return changed;
    }

    /** Arg-min of {@code xx - 2 xc + cc} for one row (ties to the lowest index); 1 if its id changed. */
    private static int finish(float[] points, int dim, float[] cNorms, int K, int row, float[] xc, int[] ids) {
        int xAt = row * dim;
        float xx = 0f;
        for (int d = 0; d < dim; d++) {
            float v = points[xAt + d];
            xx += v * v;
        }
        int best = 0;
        float bestD = Float.POSITIVE_INFINITY;
        for (int k = 0; k < K; k++) {
            float dist = xx - 2f * xc[k] + cNorms[k];
            if (dist < bestD) {
                bestD = dist;
                best = k;
            }
        }
        int changed = ids[row] != best ? 1 : 0;
        ids[row] = best;
        return changed;
    }
}
