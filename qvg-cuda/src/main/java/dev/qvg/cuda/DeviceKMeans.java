package dev.qvg.cuda;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;

/**
 * The k-means loop of {@link dev.qvg.api.reference.LloydKMeans#run} with everything resident on
 * the device: the points, the centroids, the ids and the sort scratch stay there through every
 * iteration; per iteration only the per-slice changed counts come back (to stop each slice
 * exactly as the reference does, after its update), and only when a slice stops do the active
 * flags go up again. With {@code tol == 0} no slice can stop early, so nothing comes back at all
 * until the end. The caller puts the initial centroids into {@link #centroids()} and downloads
 * {@link #centroids()} and {@link #ids()} when it needs them.
 */
final class DeviceKMeans implements AutoCloseable {

    private final Gpu gpu;
    private final DeviceKernels kernels;
    private final SliceBatch batch;
    private final int clusters;
    private final GpuBuffer centroids, ids, pointNorms, centroidNorms, active, changed, offsets, ends, order;

    /** Allocates the loop's device state for {@code batch} and {@code clusters} clusters. */
    DeviceKMeans(Gpu gpu, DeviceKernels kernels, SliceBatch batch, int clusters) {
        this.gpu = gpu;
        this.kernels = kernels;
        this.batch = batch;
        this.clusters = clusters;
        long cells = (long) batch.slices() * clusters;
        GpuBuffer[] b = new GpuBuffer[9];
        try {
            b[0] = gpu.allocate(4 * cells * batch.dim());
            b[1] = gpu.allocate(4L * batch.rows());
            b[2] = gpu.allocate(4L * batch.rows());
            b[3] = gpu.allocate(4 * cells);
            b[4] = gpu.allocate(4L * batch.slices());
            b[5] = gpu.allocate(4L * batch.slices());
            b[6] = gpu.allocate(4 * cells);
            b[7] = gpu.allocate(4 * cells);
            b[8] = gpu.allocate(4L * batch.rows());
        } catch (RuntimeException e) {
            for (GpuBuffer x : b) {
                if (x != null) {
                    x.close();
                }
            }
            throw e;
        }
        centroids = b[0];
        ids = b[1];
        pointNorms = b[2];
        centroidNorms = b[3];
        active = b[4];
        changed = b[5];
        offsets = b[6];
        ends = b[7];
        order = b[8];
    }

    /** {@code [slices, K, D]} floats: the initial centroids before {@link #run}, the final ones after. */
    GpuBuffer centroids() {
        return centroids;
    }

    /** {@code [slices, S]} ints: the last assignment after {@link #run}. */
    GpuBuffer ids() {
        return ids;
    }

    /**
     * Runs every iteration on {@code points} ({@code [slices, S, D]} floats on the device) from
     * the centroids in {@link #centroids()}, and returns the iterations each slice used.
     */
    int[] run(DeviceMemory points, KMeansConfig config) {
        int n = batch.slices(), S = batch.tokens(), D = batch.dim(), K = clusters;
        int[] flags = new int[n];
        Arrays.fill(flags, 1);
        boolean[] live = new boolean[n];
        Arrays.fill(live, true);
        gpu.upload(HostSpan.of(flags), active, 0);
        gpu.fill32(ids, -1, batch.rows(), 0);  // every id changes in the first iteration, as the reference's -1
        kernels.sqNorms(points, batch.rows(), D, pointNorms, 0);
        int[] counts = new int[n];
        int[] iterations = new int[n];
        boolean canStop = config.tol() > 0;  // changed / S < 0 never holds
        int remaining = n;
        for (int it = 1; it <= config.maxIters() && remaining > 0; it++) {
            gpu.fill32(changed, 0, n, 0);
            kernels.assignWithPointNorms(n, S, D, K, points, centroids, pointNorms, centroidNorms, active, ids, changed, 0);
            kernels.updateCentroids(n, S, D, K, points, ids, active, centroids, offsets, ends, order, 0);
            if (canStop) {
                gpu.download(changed, HostSpan.of(counts));
            }
            boolean stopped = false;
            for (int i = 0; i < n; i++) {
                if (!live[i]) {
                    continue;
                }
                iterations[i] = it;
                if (canStop && LloydKMeans.converged(counts[i], S, config)) {
                    live[i] = false;
                    flags[i] = 0;
                    remaining--;
                    stopped = true;
                }
            }
            if (stopped && remaining > 0) {
                gpu.upload(HostSpan.of(flags), active, 0);
            }
        }
        return iterations;
    }

    @Override
    public void close() {
        // Reverse order of allocation; every buffer is freed even if one free fails.
        RuntimeException first = null;
        for (GpuBuffer b : new GpuBuffer[] {order, ends, offsets, changed, active, centroidNorms, pointNorms, ids,
                centroids}) {
            try {
                b.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
