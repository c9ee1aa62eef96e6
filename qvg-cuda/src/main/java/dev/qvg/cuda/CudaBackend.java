package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.KernelArgs;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * The {@link Backend} kernels on one NVIDIA GPU. Every call checks its arguments with
 * {@link KernelArgs} first (nothing is uploaded or written on bad input), copies its inputs to
 * device memory owned by try-with-resources blocks, runs the PTX kernels and copies the results
 * back; results are bit-identical to {@link dev.qvg.api.reference.ReferenceBackend} (see
 * {@code src/main/cuda/qvg_math.cuh} for how). {@link #quantizePack} streams its input in row
 * chunks through two pinned buffers and two streams, so copying one chunk overlaps quantizing
 * the previous one. Calls are serialised on the instance; {@link #close()} releases the device.
 */
public final class CudaBackend implements Backend {

    /** Floats per upload chunk of {@link #quantizePack} (16 MiB): large enough to keep the copy engine busy. */
    static final int DEFAULT_CHUNK_ELEMENTS = 1 << 22;

    private final CudaDevice dev;
    private final DeviceKernels kernels;
    private final int chunkElements;
    private boolean closed;

    CudaBackend(CudaDevice dev) {
        this(dev, DEFAULT_CHUNK_ELEMENTS);
    }

    CudaBackend(CudaDevice dev, int chunkElements) {
        if (chunkElements <= 0) {
            throw new IllegalArgumentException("chunkElements: must be positive, got " + chunkElements);
        }
        this.dev = dev;
        this.kernels = new DeviceKernels(dev);
        this.chunkElements = chunkElements;
    }

    /**
     * A backend without a device, for tests on machines without a GPU: every call runs its
     * argument checks and then fails with {@link IllegalStateException}. It lets the conformance
     * kit's bad-input group check this backend's validation everywhere.
     */
    static CudaBackend validationOnly() {
        return new CudaBackend(null, DEFAULT_CHUNK_ELEMENTS);
    }

    @Override
    public String name() {
        return CudaBackendProvider.NAME;
    }

    @Override
    public synchronized void assign(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids,
                                    int[] changed, boolean[] active) {
        KernelArgs.checkAssign(b, points, centroids, clusters, ids, changed, active);
        begin();
        int slices = b.slices(), S = b.tokens(), D = b.dim();
        long rows = b.rows(), cRows = (long) slices * clusters;
        int[] counts = new int[slices];
        try (DeviceBuffer p = DeviceBuffer.of(points);
             DeviceBuffer c = DeviceBuffer.of(centroids);
             DeviceBuffer pn = DeviceBuffer.allocate(rows * Float.BYTES);
             DeviceBuffer cn = DeviceBuffer.allocate(cRows * Float.BYTES);
             DeviceBuffer act = DeviceBuffer.of(activeFlags(b, active));
             DeviceBuffer id = DeviceBuffer.of(ids);
             DeviceBuffer ch = DeviceBuffer.zeroed((long) slices * Integer.BYTES)) {
            kernels.assign(slices, S, D, clusters, p, c, pn, cn, act, id, ch, 0);
            dev.synchronize(0);
            id.download(ids);
            ch.download(counts);
        }
        for (int i = 0; i < slices; i++) {
            if (active == null || active[i]) {
                changed[i] = counts[i];
            }
        }
    }

    @Override
    public synchronized void updateCentroids(SliceBatch b, float[] points, int[] ids, int clusters, float[] centroids,
                                             boolean[] active) {
        KernelArgs.checkUpdate(b, points, ids, clusters, centroids, active);
        begin();
        int slices = b.slices(), S = b.tokens(), D = b.dim();
        try (DeviceBuffer p = DeviceBuffer.of(points);
             DeviceBuffer id = DeviceBuffer.of(ids);
             DeviceBuffer c = DeviceBuffer.of(centroids);
             DeviceBuffer act = DeviceBuffer.of(activeFlags(b, active))) {
            kernels.updateCentroids(slices, S, D, clusters, p, id, act, c, 0);
            dev.synchronize(0);
            c.download(centroids);
        }
    }

    @Override
    public synchronized void subtractCentroids(SliceBatch b, float[] points, int[] ids, float[] centroids, int clusters) {
        KernelArgs.checkRows(b, "points", points, ids, centroids, clusters);
        applyCentroids(b, points, ids, centroids, clusters, -1);
    }

    @Override
    public synchronized void accumulateCentroids(SliceBatch b, float[] out, int[] ids, float[] centroids, int clusters) {
        KernelArgs.checkRows(b, "out", out, ids, centroids, clusters);
        applyCentroids(b, out, ids, centroids, clusters, 1);
    }

    private void applyCentroids(SliceBatch b, float[] rows, int[] ids, float[] centroids, int clusters, int sign) {
        begin();
        try (DeviceBuffer r = DeviceBuffer.of(rows);
             DeviceBuffer id = DeviceBuffer.of(ids);
             DeviceBuffer c = DeviceBuffer.of(centroids)) {
            kernels.applyCentroids(b.rows(), b.tokens(), b.dim(), clusters, r, id, c, sign, 0);
            dev.synchronize(0);
            r.download(rows);
        }
    }

    @Override
    public synchronized PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
        KernelArgs.checkQuantize(x, rows, cols, config);
        begin();
        PackedBlocks out = PackedBlocks.allocate(rows, cols, config);
        int bpr = out.blocksPerRow(), bytesPerRow = out.bytesPerRow();
        long nb = (long) rows * bpr;
        int sym = config.symmetric() ? 1 : 0;
        int chunkRows = Math.max(1, Math.min(rows, chunkElements / cols));
        try (DeviceBuffer dx = DeviceBuffer.allocate(4L * x.length);
             DeviceBuffer scales = DeviceBuffer.allocate(2L * nb);
             DeviceBuffer zeros = DeviceBuffer.allocate(sym == 1 ? 0 : 2L * nb);
             DeviceBuffer usedScale = DeviceBuffer.allocate(4L * nb);
             DeviceBuffer usedZero = DeviceBuffer.allocate(4L * nb);
             DeviceBuffer codes = DeviceBuffer.allocate((long) rows * bytesPerRow)) {
            int chunk = 0;
            for (int r0 = 0; r0 < rows; r0 += chunkRows, chunk++) {
                int n = Math.min(chunkRows, rows - r0);
                int s = chunk % CudaDevice.STREAMS;
                int elems = n * cols;
                if (chunk >= CudaDevice.STREAMS) {
                    // This staging buffer fed the copy of chunk - STREAMS: wait for that copy only,
                    // the kernels of the other stream keep running meanwhile.
                    Cu.check(cuEventSynchronize(dev.copiedEvent(s)), "cuEventSynchronize");
                }
                FloatBuffer staging = dev.staging(s).floats(4L * chunkRows * cols);
                staging.put(x, r0 * cols, elems);
                long xAt = 4L * r0 * cols;
                Cu.check(cuMemcpyHtoDAsync(dx.at(xAt), dev.staging(s).pointer(), 4L * elems, dev.stream(s)),
                        "cuMemcpyHtoDAsync");
                Cu.check(cuEventRecord(dev.copiedEvent(s), dev.stream(s)), "cuEventRecord");
                kernels.quantizeRows(config, cols, r0, n, dx, scales, zeros, usedScale, usedZero, codes, s);
            }
            dev.synchronizeAll();
            codes.download(out.codes());
            scales.download(out.scales());
            if (sym == 0) {
                zeros.download(out.zeros());
            }
        }
        return out;
    }

    @Override
    public synchronized void unpackDequant(PackedBlocks blocks, float[] out) {
        KernelArgs.checkDequant(blocks, out);
        begin();
        try (DeviceBuffer o = runDecode(Ptx.DECODE_F32, Float.BYTES, blocks, blocks.cols(), 1, List.of())) {
            o.download(out);
        }
    }

    /** One pass: {@code out = dequant(blocks) + sum_s C_s[id_s]}, bit-identical to the default composition. */
    @Override
    public synchronized void decode(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[] out) {
        KernelArgs.checkDequant(blocks, out);
        batch.requireLength("out", out, batch.dim());
        checkStages(batch, stages);
        begin();
        try (DeviceBuffer o = runDecode(Ptx.DECODE_F32, Float.BYTES, blocks, batch.dim(), batch.tokens(), stages)) {
            o.download(out);
        }
    }

    /**
     * As {@link #decode} with the result rounded to bfloat16 bit patterns (round to nearest even,
     * as {@link dev.qvg.api.tensor.Bf16#fromFloat}): the form attention kernels read.
     */
    public synchronized void decodeBf16(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, short[] out) {
        if (blocks == null) {
            throw new IllegalArgumentException("blocks: must not be null");
        }
        long numel = (long) blocks.rows() * blocks.cols();
        if (out == null || out.length != numel) {
            throw new IllegalArgumentException("out: expected " + numel + " bf16 values, got "
                    + (out == null ? "null" : out.length));
        }
        if (batch.numel() != numel) {
            throw new IllegalArgumentException("out: expected " + batch.numel() + " values for " + batch + ", got " + numel);
        }
        checkStages(batch, stages);
        begin();
        try (DeviceBuffer o = runDecode(Ptx.DECODE_BF16, Short.BYTES, blocks, batch.dim(), batch.tokens(), stages)) {
            o.download(out);
        }
    }

    /** The checks the reference's composition (accumulateCentroids per stage) makes, with its parameter names. */
    private static void checkStages(SliceBatch batch, List<ClusterStage> stages) {
        if (stages == null) {
            throw new NullPointerException("stages is null");
        }
        for (int s = 0; s < stages.size(); s++) {
            ClusterStage st = stages.get(s);
            if (st == null) {
                throw new NullPointerException("stages: stage " + s + " is null");
            }
            if (st.dim() != batch.dim() || st.slices() != batch.slices()) {
                throw new IllegalArgumentException("centroids: stage " + s + " holds " + st.slices() + " x [" + st.clusters()
                        + ", " + st.dim() + "] centroids, the batch is " + batch);
            }
            if (st.tokens() != batch.tokens()) {
                throw new IllegalArgumentException("ids: stage " + s + " holds ids for " + st.slices() + " x " + st.tokens()
                        + " tokens, the batch is " + batch);
            }
        }
    }

    /** Uploads blocks and stages, launches {@code kernel}; the caller downloads and closes the output. */
    private DeviceBuffer runDecode(String kernel, int outBytes, PackedBlocks blocks, int dim, int tokens,
                                   List<ClusterStage> stages) {
        BlockQuantConfig c = blocks.config();
        long numel = (long) blocks.rows() * blocks.cols();
        StagePack sp = StagePack.of(stages);
        DeviceBuffer out = DeviceBuffer.allocate(numel * outBytes);
        try (DeviceBuffer codes = DeviceBuffer.of(blocks.codes());
             DeviceBuffer scales = DeviceBuffer.of(blocks.scales());
             DeviceBuffer zeros = blocks.zeros() == null ? DeviceBuffer.allocate(0) : DeviceBuffer.of(blocks.zeros());
             DeviceBuffer cent = DeviceBuffer.of(sp.centroids());
             DeviceBuffer ids = DeviceBuffer.of(sp.ids());
             DeviceBuffer offs = DeviceBuffer.of(sp.centroidOffsets());
             DeviceBuffer clusters = DeviceBuffer.of(sp.clusters())) {
            kernels.decode(kernel, c, blocks.rows(), blocks.cols(), codes, scales, zeros, dim, tokens, stages.size(), cent,
                    ids, offs, clusters, out, 0);
            dev.synchronize(0);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static int[] activeFlags(SliceBatch b, boolean[] active) {
        int[] a = new int[b.slices()];
        for (int i = 0; i < a.length; i++) {
            a[i] = active == null || active[i] ? 1 : 0;
        }
        return a;
    }

    private void begin() {
        if (closed) {
            throw new IllegalStateException("cuda backend: used after close");
        }
        if (dev == null) {
            throw new IllegalStateException("cuda backend: validation-only instance has no device");
        }
        dev.makeCurrent();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (dev != null) {
                dev.close();
            }
        }
    }
}
