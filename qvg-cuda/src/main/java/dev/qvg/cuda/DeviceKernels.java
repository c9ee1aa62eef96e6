package dev.qvg.cuda;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;

/**
 * Enqueues the PTX kernels on device-resident buffers: the single place that knows each kernel's
 * grid and argument list. {@link CudaBackend} wraps these with uploads and downloads;
 * {@link KernelTimings} times them on data already on the device; tests check every launch
 * against the PTX signatures without a GPU. Nothing here synchronises.
 */
final class DeviceKernels {

    private static final int MAX_GRID_Y = 65535;

    private final KernelLauncher dev;

    DeviceKernels(KernelLauncher dev) {
        this.dev = dev;
    }

    /** {@code out[r] = |x[r]|^2} for {@code rows} rows of {@code dim} floats. */
    void sqNorms(DeviceMemory x, long rows, int dim, DeviceMemory out, int stream) {
        dev.launch(Ptx.ROW_SQNORM, CudaDevice.grid1d(rows, 256), 256, stream, x.ptr(), rows, dim, out.ptr());
    }

    /**
     * Nearest-centroid ids of every row of the active slices ({@code act}: one int flag per
     * slice); {@code changed} (one int per slice, zeroed by the caller) counts ids that changed.
     * {@code pn} and {@code cn} receive the squared norms of rows and centroids.
     */
    void assign(int slices, int tokens, int dim, int clusters, DeviceMemory p, DeviceMemory c, DeviceMemory pn,
                DeviceMemory cn, DeviceMemory act, DeviceMemory ids, DeviceMemory changed, int stream) {
        sqNorms(p, (long) slices * tokens, dim, pn, stream);
        assignWithPointNorms(slices, tokens, dim, clusters, p, c, pn, cn, act, ids, changed, stream);
    }

    /**
     * {@link #assign} with the rows' squared norms already in {@code pn} (the k-means loop
     * computes them once, as its points do not change); the centroids' are computed here.
     */
    void assignWithPointNorms(int slices, int tokens, int dim, int clusters, DeviceMemory p, DeviceMemory c,
                              DeviceMemory pn, DeviceMemory cn, DeviceMemory act, DeviceMemory ids, DeviceMemory changed,
                              int stream) {
        sqNorms(c, (long) slices * clusters, dim, cn, stream);
        int rowTiles = (tokens + 63) / 64;
        for (int s0 = 0; s0 < slices; s0 += MAX_GRID_Y) {
            int ns = Math.min(MAX_GRID_Y, slices - s0);
            dev.launch(Ptx.ASSIGN, new int[] {rowTiles, ns}, 256, stream,
                    p.at(4L * s0 * tokens * dim), c.at(4L * s0 * clusters * dim), pn.at(4L * s0 * tokens),
                    cn.at(4L * s0 * clusters), tokens, dim, clusters, act.at(4L * s0), ids.at(4L * s0 * tokens),
                    changed.at(4L * s0));
        }
    }

    /**
     * Centroids of the active slices := mean of their rows (empty clusters keep theirs): a stable
     * counting sort of each slice's rows by id into {@code order} ({@code [slices, tokens]} ints),
     * with each cluster's range in {@code offsets}/{@code ends} ({@code [slices, clusters]} ints
     * each), then row-order double sums per (cluster, dimension). O(S + K) per slice.
     */
    void updateCentroids(int slices, int tokens, int dim, int clusters, DeviceMemory p, DeviceMemory ids,
                         DeviceMemory act, DeviceMemory c, DeviceMemory offsets, DeviceMemory ends, DeviceMemory order,
                         int stream) {
        dev.launch(Ptx.CLUSTER_SORT, new int[] {slices}, 256, stream, ids.ptr(), tokens, clusters, act.ptr(),
                offsets.ptr(), ends.ptr(), order.ptr());
        int dimTiles = (dim + 127) / 128;
        for (int s0 = 0; s0 < slices; s0 += MAX_GRID_Y) {
            int ns = Math.min(MAX_GRID_Y, slices - s0);
            dev.launch(Ptx.CLUSTER_MEANS, new int[] {clusters, ns, dimTiles}, 128, stream,
                    p.at(4L * s0 * tokens * dim), order.at(4L * s0 * tokens), offsets.at(4L * s0 * clusters),
                    ends.at(4L * s0 * clusters), tokens, dim, clusters, act.at(4L * s0), c.at(4L * s0 * clusters * dim));
        }
    }

    /** {@code out[i] = bf16(c[i])} for {@code n} floats. */
    void roundBf16(DeviceMemory c, long n, DeviceMemory out, int stream) {
        dev.launch(Ptx.ROUND_BF16, CudaDevice.grid1d(n, 256), 256, stream, c.ptr(), n, out.ptr());
    }

    /**
     * {@code x[row] -= bf16 centroid ids[row]} of the row's slice; the smallest element index whose
     * result is not finite goes to {@code firstBad} (one int the caller set to
     * {@link Integer#MAX_VALUE}).
     */
    void subtractBf16(DeviceMemory x, DeviceMemory ids, DeviceMemory cb, long rows, int tokens, int dim, int clusters,
                      DeviceMemory firstBad, int stream) {
        dev.launch(Ptx.SUBTRACT_BF16, CudaDevice.grid1d(rows * dim, 256), 256, stream, x.ptr(), ids.ptr(), cb.ptr(),
                rows, tokens, dim, clusters, firstBad.ptr());
    }

    /** Centroid {@code k} of slice {@code i} := row {@code rows[i * clusters + k]} of slice {@code i} of {@code x}. */
    void gatherRows(DeviceMemory x, DeviceMemory rows, int slices, int tokens, int dim, int clusters, DeviceMemory out,
                    int stream) {
        long n = (long) slices * clusters * dim;
        dev.launch(Ptx.GATHER_ROWS, CudaDevice.grid1d(n, 256), 256, stream, x.ptr(), rows.ptr(), (long) slices, tokens,
                dim, clusters, out.ptr());
    }

    /** {@code rows[r] += sign * c[ids[r]]} (sign -1: the SAS residual; +1: reconstruction). */
    void applyCentroids(long rows, int tokens, int dim, int clusters, DeviceMemory data, DeviceMemory ids,
                        DeviceMemory c, int sign, int stream) {
        dev.launch(Ptx.APPLY_CENTROIDS, CudaDevice.grid1d(rows * dim, 256), 256, stream, data.ptr(), ids.ptr(), c.ptr(),
                rows, tokens, dim, clusters, sign);
    }

    /**
     * Quantizes and packs rows {@code [r0, r0 + n)} of a {@code [rows, cols]} matrix whose floats
     * are in {@code x}: block stats into {@code scales}/{@code zeros} (and the float values the codes
     * divide by into {@code usedScale}/{@code usedZero}), then the packed bytes into {@code codes}.
     */
    void quantizeRows(BlockQuantConfig cfg, int cols, int r0, int n, DeviceMemory x, DeviceMemory scales,
                      DeviceMemory zeros, DeviceMemory usedScale, DeviceMemory usedZero, DeviceMemory codes, int stream) {
        int sym = cfg.symmetric() ? 1 : 0;
        int fp8 = cfg.scalePrecision() == ScalePrecision.FP8_E4M3 ? 1 : 0;
        int bpr = cfg.blocksPerRow(cols), bytesPerRow = cfg.packedBytesPerRow(cols);
        long xAt = 4L * r0 * cols;
        long b0 = (long) r0 * bpr, nb = (long) n * bpr;
        dev.launch(Ptx.BLOCK_STATS, CudaDevice.grid1d(nb * 32, 256), 256, stream, x.at(xAt), nb, cfg.blockSize(), sym,
                cfg.qmax(), fp8, scales.at(2 * b0), zeros.at(sym == 1 ? 0 : 2 * b0), usedScale.at(4 * b0),
                usedZero.at(4 * b0));
        dev.launch(Ptx.PACK, CudaDevice.grid1d((long) n * bytesPerRow, 256), 256, stream, x.at(xAt), (long) n, cols,
                bytesPerRow, cfg.blockSize(), cfg.bits(), sym, cfg.qmax(), usedScale.at(4 * b0), usedZero.at(4 * b0),
                codes.at((long) r0 * bytesPerRow));
    }

    /**
     * Fused decode ({@link Ptx#DECODE_F32} or {@link Ptx#DECODE_BF16}) of a {@code [rows, cols]}
     * block matrix plus {@code nStages} centroid stages over a batch of rows of {@code dim}.
     */
    void decode(String kernel, BlockQuantConfig cfg, int rows, int cols, DeviceMemory codes, DeviceMemory scales,
                DeviceMemory zeros, int dim, int tokens, int nStages, DeviceMemory stageCentroids,
                DeviceMemory stageIds, DeviceMemory stageOffsets, DeviceMemory stageClusters, DeviceMemory out,
                int stream) {
        long numel = (long) rows * cols;
        // Four elements a thread when no run of four crosses a row of the blocks or of the batch.
        int vec = cols % 4 == 0 && dim % 4 == 0 ? 4 : 1;
        dev.launch(kernel, CudaDevice.grid1d(numel / vec, 256), 256, stream, codes.ptr(), scales.ptr(), zeros.ptr(), numel,
                cols, cfg.packedBytesPerRow(cols), cfg.blockSize(), cfg.bits(), cfg.symmetric() ? 1 : 0, cfg.qmax(),
                cfg.scalePrecision() == ScalePrecision.FP8_E4M3 ? 1 : 0, dim, tokens, nStages, stageCentroids.ptr(),
                stageIds.ptr(), stageOffsets.ptr(), stageClusters.ptr(), vec, out.ptr());
    }
}
