package dev.qvg.cpu;

import dev.qvg.api.reference.ReferenceKernels;
import dev.qvg.api.tensor.FiniteScan;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-centroid assignment with the {@code x.c} products from one OpenBLAS SGEMM per slice,
 * made exactly equal to the reference by a certified re-check ({@link CertifiedArgmin}): the
 * GEMM sums in its own order (and with fused multiply-adds). Rows or centroids that are not finite,
 * or whose bound overflows, are scored entirely the reference way. The result is therefore
 * bit-identical to {@link ReferenceKernels#assign}, whatever OpenBLAS's thread count or kernel.
 */
final class GemmAssign {

    /** Most dot products one GEMM call produces (16 MB of output; 16384 rows at K = 256). */
    static final int MAX_CHUNK_FLOATS = 1 << 22;

    /** Off-heap GEMM operands reused between calls of the same shape (k-means repeats shapes). */
    private static final class Workspace {
        final int rows, clusters, dim;
        final INDArray x, c, out;
        final float[] dots;

        Workspace(int rows, int clusters, int dim) {
            this.rows = rows;
            this.clusters = clusters;
            this.dim = dim;
            this.x = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, dim}, 'c');
            this.c = Nd4j.createUninitialized(DataType.FLOAT, new long[] {clusters, dim}, 'c');
            this.out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, clusters}, 'c');
            this.dots = new float[rows * clusters];
        }
    }

    private final ConcurrentLinkedDeque<Workspace> spare = new ConcurrentLinkedDeque<>();

    /**
     * Spare workspaces kept. A slice whose length is not a multiple of the chunk needs two shapes
     * (full chunks and the last one); discarding one shape to make the other measured as a 17x
     * cliff at S = 29640 (two 16 MB off-heap allocations and their page faults per slice), so a
     * few shapes are kept side by side.
     */
    private static final int MAX_SPARE = 6;

    private Workspace take(int rows, int clusters, int dim) {
        for (java.util.Iterator<Workspace> it = spare.iterator(); it.hasNext(); ) {
            Workspace w = it.next();
            if (w.rows == rows && w.clusters == clusters && w.dim == dim && spare.removeFirstOccurrence(w)) {
                return w;
            }
        }
        return new Workspace(rows, clusters, dim);
    }

    private void giveBack(Workspace w) {
        spare.push(w);
        while (spare.size() > MAX_SPARE) {
            spare.pollLast(); // the least recently used shape; ND4J frees off-heap memory with the object
        }
    }

    /** Drops cached workspaces. */
    void clear() {
        spare.clear();
    }

    /**
     * Assigns every row of slice {@code slice} and returns how many ids changed. The slice goes
     * through the GEMM in chunks of at most {@value #MAX_CHUNK_FLOATS} dot products (bounding the
     * buffers whatever S is); each GEMM runs on the calling thread (OpenBLAS uses its own
     * threads), the copies and the arg-min run on {@code pool} in fixed row tiles.
     */
    int assignSlice(WorkerPool pool, float[] points, float[] centroids, int slice, int S, int D, int K, int[] ids,
                    int tile) {
        int cBase = slice * K * D;
        float[] cNorms = JavaAssign.norms(centroids, cBase, K, D);
        float cMax = 0f;
        boolean finite = true;
        for (float cc : cNorms) {
            finite &= Float.isFinite(cc);
            cMax = Math.max(cMax, cc);
        }
        if (!finite || !FiniteScan.all(centroids, cBase, K * D)) {
            // Non-finite centroids void the error bound: every row is scored the reference way.
            int tiles = (S + tile - 1) / tile;
            int[] changed = new int[tiles];
            pool.run(tiles, t -> {
                int ch = 0;
                for (int s = t * tile; s < Math.min(S, (t + 1) * tile); s++) {
                    int row = slice * S + s;
                    int best = ReferenceKernels.nearest(points, row * D, centroids, cBase, K, D);
                    ch += ids[row] != best ? 1 : 0;
                    ids[row] = best;
                }
                changed[t] = ch;
            });
            return sum(changed);
        }
        float cMaxNorm = (float) Math.sqrt(cMax);
        int chunk = Math.max(tile, MAX_CHUNK_FLOATS / K / tile * tile);
        int total = 0;
        for (int c0 = 0; c0 < S; c0 += chunk) {
            total += assignChunk(pool, points, centroids, slice * S + c0, Math.min(chunk, S - c0), D, K, cBase, cNorms,
                    cMaxNorm, ids, tile);
        }
        return total;
    }

    /** One GEMM over rows {@code [first, first + rows)} (absolute), then the certified arg-min. */
    private int assignChunk(WorkerPool pool, float[] points, float[] centroids, int first, int rows, int D, int K,
                            int cBase, float[] cNorms, float cMaxNorm, int[] ids, int tile) {
        Workspace w = take(rows, K, D);
        try {
            int tiles = (rows + tile - 1) / tile;
            // Copies in and out use absolute bulk transfers on disjoint ranges, so tiles may run
            // concurrently.
            pool.run(tiles, t -> {
                int from = t * tile, n = Math.min(rows, from + tile) - from;
                w.x.data().asNioFloat().put(from * D, points, (first + from) * D, n * D);
            });
            w.c.data().asNioFloat().put(0, centroids, cBase, K * D);
            Nd4j.gemm(w.x, w.c, w.out, false, true, 1.0, 0.0);
            int[] changed = new int[tiles];
            float[] dots = w.dots;
            pool.run(tiles, t -> {
                int from = t * tile, to = Math.min(rows, from + tile);
                w.out.data().asNioFloat().get(from * K, dots, from * K, (to - from) * K);
                int ch = 0;
                for (int s = from; s < to; s++) {
                    int row = first + s;
                    int best = nearest(points, row * D, D, centroids, cBase, K, cNorms, cMaxNorm, dots, s * K);
                    ch += ids[row] != best ? 1 : 0;
                    ids[row] = best;
                }
                changed[t] = ch;
            });
            return sum(changed);
        } finally {
            giveBack(w);
        }
    }

    private static int sum(int[] a) {
        int s = 0;
        for (int v : a) {
            s += v;
        }
        return s;
    }

    /** The reference's nearest centroid of one row, from GEMM dots plus a certified re-check ({@link CertifiedArgmin}). */
    private static int nearest(float[] points, int xAt, int D, float[] centroids, int cBase, int K, float[] cNorms,
                               float cMaxNorm, float[] dots, int dAt) {
        float xx = 0f;
        for (int d = 0; d < D; d++) {
            float v = points[xAt + d];
            xx += v * v;
        }
        for (int k = 0; k < K; k++) {
            dots[dAt + k] = xx - 2f * dots[dAt + k] + cNorms[k];
        }
        // Smallest and second smallest g (a tie counts twice); NaN never compares smaller.
        int bestG = 0;
        float minG = Float.POSITIVE_INFINITY, secondG = Float.POSITIVE_INFINITY;
        for (int k = 0; k < K; k++) {
            float g = dots[dAt + k];
            if (g < secondG) {
                if (g < minG) {
                    secondG = minG;
                    minG = g;
                    bestG = k;
                } else {
                    secondG = g;
                }
            }
        }
        float limit = minG + 2f * CertifiedArgmin.bound(xx, cMaxNorm, D);
        if (!Float.isFinite(limit)) {
            return ReferenceKernels.nearest(points, xAt, centroids, cBase, K, D);
        }
        if (!(secondG <= limit)) {
            return bestG; // the only cluster within the round-off window
        }
        return CertifiedArgmin.rescore(points, xAt, D, centroids, cBase, K, dots, dAt, limit);
    }
}
