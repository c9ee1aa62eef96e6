package dev.qvg.cpu;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;

/**
 * The whole k-means of one slice on the calling thread: {@link LloydKMeans#run}'s loop for that
 * slice alone (assign, update, stop when {@link LloydKMeans#converged}), with the SIMD
 * assignment ({@link VectorAssign}) and the row-order SIMD centroid update ({@link VectorCentroidMeans}),
 * so it gives {@code LloydKMeans.run}'s bits. Slices run side by side, one per worker: no
 * synchronisation inside an iteration, and the update of one slice overlaps the assignment of
 * another.
 */
final class SliceKMeans {

    private final CentroidPanels panels;
    private final float[] scratch;
    private final double[] sums;
    private final int[] counts;
    /** The slice's row norms, computed once per k-means (rows do not change between iterations). */
    private float[] rowNorms;

    /** Buffers for slices of {@code clusters} centroids of {@code dim} values; one instance per thread. */
    SliceKMeans(int clusters, int dim) {
        this.panels = new CentroidPanels(clusters, dim, VectorAssign.lanes());
        this.scratch = new float[VectorAssign.scratchLength(panels)];
        this.sums = new double[clusters * dim];
        this.counts = new int[clusters];
    }

    /**
     * Clusters slice {@code i} of {@code points} from the centroids already in
     * {@code centroids[i * K * D ..]}, writing its ids ({@code ids[i * S ..]}) and
     * {@code iterations[i]}; every other slice's entries are left alone.
     */
    void run(SliceBatch b, float[] points, int i, KMeansConfig config, float[] centroids, int[] ids, int[] iterations) {
        int S = b.tokens(), D = b.dim(), K = config.clusters();
        int first = i * S, cBase = i * K * D;
        Arrays.fill(ids, first, first + S, -1);
        if (rowNorms == null || rowNorms.length < S) {
            rowNorms = new float[S];
        }
        VectorKernelCalls.rowNorms(points, D, first, first + S, rowNorms, 0);
        for (int it = 1; it <= config.maxIters(); it++) {
            panels.load(centroids, cBase);
            int changed = VectorKernelCalls.assignRows(points, D, panels, centroids, cBase, first, first + S, ids,
                    scratch, rowNorms, first);
            VectorKernelCalls.sliceMeans(points, ids, i, S, D, K, centroids, sums, counts, 0, D);
            iterations[i] = it;
            if (LloydKMeans.converged(changed, S, config)) {
                return;
            }
        }
    }
}
