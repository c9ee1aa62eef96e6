package dev.qvg.cuda;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.KernelArgs;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.reference.SpanEncoding;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;

/**
 * The {@link Backend} kernels on one NVIDIA GPU. Every call checks its arguments with
 * {@link KernelArgs} (or the coarse operations' own checks) first, so nothing is uploaded or
 * written on bad input; results are bit-identical to {@link dev.qvg.api.reference.ReferenceBackend}
 * (see {@code src/main/cuda/qvg_math.cuh} for how).
 *
 * <p>The coarse operations keep their data on the device: {@link #cluster} uploads the points
 * and the initial centroids once and runs every k-means iteration there ({@link DeviceKMeans});
 * {@link #encodeSpan} uploads the span once and runs every stage and the block quantization there
 * ({@link DeviceSpanEncoder}). The fine kernels copy their inputs in and their results out on
 * each call. {@link #quantizePack} streams its input in row chunks through two pinned buffers and
 * two streams, so copying one chunk overlaps quantizing the previous one. Calls are serialised on
 * the instance; {@link #close()} releases the device.
 *
 * <p>The device is a {@link Gpu}: {@link CudaDevice} on a GPU, the host emulation of the kernels in
 * the tests, which run this very class without a GPU.
 */
public final class CudaBackend implements Backend {

    /** Floats per upload chunk of {@link #quantizePack} (16 MiB): large enough to keep the copy engine busy. */
    static final int DEFAULT_CHUNK_ELEMENTS = 1 << 22;

    private final Gpu gpu;
    private final DeviceKernels kernels;
    private final int chunkElements;
    private boolean closed;

    CudaBackend(Gpu gpu) {
        this(gpu, DEFAULT_CHUNK_ELEMENTS);
    }

    CudaBackend(Gpu gpu, int chunkElements) {
        if (chunkElements <= 0) {
            throw new IllegalArgumentException("chunkElements: must be positive, got " + chunkElements);
        }
        this.gpu = gpu;
        this.kernels = new DeviceKernels(gpu);
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

    /** Coarse: the whole k-means on the device; bit-identical to {@link LloydKMeans#run} on this backend. */
    @Override
    public synchronized ClusteringResult cluster(SliceBatch batch, float[] points, KMeansConfig config,
                                                 float[] initialCentroids) {
        LloydKMeans.checkArgs(batch, points, config, initialCentroids);
        begin();
        float[] start = initialCentroids != null ? initialCentroids : LloydKMeans.initialCentroids(batch, points, config);
        try (GpuBuffer p = gpu.copyOf(HostSpan.of(points));
             DeviceKMeans km = new DeviceKMeans(gpu, kernels, batch, config.clusters())) {
            gpu.upload(HostSpan.of(start), km.centroids(), 0);
            int[] iterations = km.run(p, config);
            float[] centroids = new float[start.length];
            int[] ids = new int[batch.rows()];
            gpu.download(km.centroids(), HostSpan.of(centroids));
            gpu.download(km.ids(), HostSpan.of(ids));
            return new ClusteringResult(centroids, ids, iterations);
        }
    }

    /** Coarse: every stage and the block quantization on the device; bit-identical to {@link SpanEncoding#compose}. */
    @Override
    public synchronized ResidualCode encodeSpan(SliceBatch batch, float[] x, SpanPlan plan) {
        SpanEncoding.checkArgs(batch, x, plan);
        begin();
        return new DeviceSpanEncoder(gpu, kernels, batch, x, plan).encode();
    }

    @Override
    public synchronized void assign(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids,
                                    int[] changed, boolean[] active) {
        KernelArgs.checkAssign(b, points, centroids, clusters, ids, changed, active);
        begin();
        int slices = b.slices(), S = b.tokens(), D = b.dim();
        int[] counts = new int[slices];
        try (GpuBuffer p = gpu.copyOf(HostSpan.of(points));
             GpuBuffer c = gpu.copyOf(HostSpan.of(centroids));
             GpuBuffer pn = gpu.allocate(4L * b.rows());
             GpuBuffer cn = gpu.allocate(4L * slices * clusters);
             GpuBuffer act = gpu.copyOf(HostSpan.of(activeFlags(b, active)));
             GpuBuffer id = gpu.copyOf(HostSpan.of(ids));
             GpuBuffer ch = gpu.filled(slices, 0)) {
            kernels.assign(slices, S, D, clusters, p, c, pn, cn, act, id, ch, 0);
            gpu.download(id, HostSpan.of(ids));
            gpu.download(ch, HostSpan.of(counts));
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
        long cells = (long) b.slices() * clusters;
        try (GpuBuffer p = gpu.copyOf(HostSpan.of(points));
             GpuBuffer id = gpu.copyOf(HostSpan.of(ids));
             GpuBuffer c = gpu.copyOf(HostSpan.of(centroids));
             GpuBuffer act = gpu.copyOf(HostSpan.of(activeFlags(b, active)));
             GpuBuffer offsets = gpu.allocate(4 * cells);
             GpuBuffer ends = gpu.allocate(4 * cells);
             GpuBuffer order = gpu.allocate(4L * b.rows())) {
            kernels.updateCentroids(b.slices(), b.tokens(), b.dim(), clusters, p, id, act, c, offsets, ends, order, 0);
            gpu.download(c, HostSpan.of(centroids));
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
        try (GpuBuffer r = gpu.copyOf(HostSpan.of(rows));
             GpuBuffer id = gpu.copyOf(HostSpan.of(ids));
             GpuBuffer c = gpu.copyOf(HostSpan.of(centroids))) {
            kernels.applyCentroids(b.rows(), b.tokens(), b.dim(), clusters, r, id, c, sign, 0);
            gpu.download(r, HostSpan.of(rows));
        }
    }

    @Override
    public synchronized PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
        KernelArgs.checkQuantize(x, rows, cols, config);
        begin();
        PackedBlocks out = PackedBlocks.allocate(rows, cols, config);
        long nb = (long) rows * out.blocksPerRow();
        boolean sym = config.symmetric();
        int chunkRows = Math.max(1, Math.min(rows, chunkElements / cols));
        try (GpuBuffer dx = gpu.allocate(4L * x.length);
             GpuBuffer scales = gpu.allocate(2L * nb);
             GpuBuffer zeros = gpu.allocate(sym ? 0 : 2L * nb);
             GpuBuffer usedScale = gpu.allocate(4L * nb);
             GpuBuffer usedZero = gpu.allocate(4L * nb);
             GpuBuffer codes = gpu.allocate((long) rows * out.bytesPerRow())) {
            int chunk = 0;
            for (int r0 = 0; r0 < rows; r0 += chunkRows, chunk++) {
                int n = Math.min(chunkRows, rows - r0);
                int s = chunk % 2;  // two streams: chunk i + 1 copies while chunk i is quantized
                gpu.uploadAsync(x, r0 * cols, n * cols, dx, 4L * r0 * cols, s);
                kernels.quantizeRows(config, cols, r0, n, dx, scales, zeros, usedScale, usedZero, codes, s);
            }
            gpu.download(codes, HostSpan.of(out.codes()));
            gpu.download(scales, HostSpan.of(out.scales()));
            if (!sym) {
                gpu.download(zeros, HostSpan.of(out.zeros()));
            }
        }
        return out;
    }

    @Override
    public synchronized void unpackDequant(PackedBlocks blocks, float[] out) {
        KernelArgs.checkDequant(blocks, out);
        begin();
        try (GpuBuffer o = runDecode(Ptx.DECODE_F32, Float.BYTES, blocks, blocks.cols(), 1, List.of())) {
            gpu.download(o, HostSpan.of(out));
        }
    }

    /** One pass: {@code out = dequant(blocks) + sum_s C_s[id_s]}, bit-identical to the default composition. */
    @Override
    public synchronized void decode(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[] out) {
        KernelArgs.checkDequant(blocks, out);
        batch.requireLength("out", out, batch.dim());
        checkStages(batch, stages);
        begin();
        try (GpuBuffer o = runDecode(Ptx.DECODE_F32, Float.BYTES, blocks, batch.dim(), batch.tokens(), stages)) {
            gpu.download(o, HostSpan.of(out));
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
        try (GpuBuffer o = runDecode(Ptx.DECODE_BF16, Short.BYTES, blocks, batch.dim(), batch.tokens(), stages)) {
            gpu.download(o, HostSpan.of(out));
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
    private GpuBuffer runDecode(String kernel, int outBytes, PackedBlocks blocks, int dim, int tokens,
                                List<ClusterStage> stages) {
        BlockQuantConfig c = blocks.config();
        long numel = (long) blocks.rows() * blocks.cols();
        StagePack sp = StagePack.of(stages);
        GpuBuffer out = gpu.allocate(numel * outBytes);
        try (GpuBuffer codes = gpu.copyOf(HostSpan.of(blocks.codes()));
             GpuBuffer scales = gpu.copyOf(HostSpan.of(blocks.scales()));
             GpuBuffer zeros = blocks.zeros() == null ? gpu.allocate(0) : gpu.copyOf(HostSpan.of(blocks.zeros()));
             GpuBuffer cent = gpu.copyOf(HostSpan.of(sp.centroids()));
             GpuBuffer ids = gpu.copyOf(HostSpan.of(sp.ids()));
             GpuBuffer offs = gpu.copyOf(HostSpan.of(sp.centroidOffsets()));
             GpuBuffer clusters = gpu.copyOf(HostSpan.of(sp.clusters()))) {
            kernels.decode(kernel, c, blocks.rows(), blocks.cols(), codes, scales, zeros, dim, tokens, stages.size(), cent,
                    ids, offs, clusters, out, 0);
            gpu.synchronize();  // the inputs are freed on return
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
        if (gpu == null) {
            throw new IllegalStateException("cuda backend: validation-only instance has no device");
        }
        gpu.makeCurrent();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (gpu != null) {
                gpu.close();
            }
        }
    }
}
