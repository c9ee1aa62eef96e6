package dev.qvg.cpu;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.KernelArgs;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;

/**
 * The CPU backend: the reference kernels made fast and parallel, with results that equal the
 * reference bit for bit and do not depend on the thread count.
 *
 * <ul>
 *   <li>Work is split into tasks of a fixed size (never derived from the thread count) and run on
 *       a bounded pool ({@value WorkerPool#THREADS_PROPERTY}, default the available processors).</li>
 *   <li>{@link #assign}: an OpenBLAS GEMM with a certified re-check for large slices
 *       ({@link GemmAssign}), pure Java in the reference's summation order otherwise
 *       ({@link JavaAssign}); both give the reference's ids, ties included.</li>
 *   <li>{@link #updateCentroids} splits each slice by columns, so every sum sees the rows in the
 *       reference's order.</li>
 *   <li>Block quantize/dequantize: {@link VectorBlockKernels} for INT2 and INT4 once {@link VectorWarmup} allows,
 *       {@link BlockKernels} otherwise, both bit-exact with {@link dev.qvg.api.quant.BlockCodec},
 *       over row ranges in parallel.</li>
 * </ul>
 * Every call validates with {@link KernelArgs} before writing anything. Instances may be used
 * from several threads at once (the kernels keep no state between calls beyond reusable GEMM
 * buffers, which are handed to one call at a time).
 */
public final class CpuBackend implements Backend {

    /** Rows per assignment task (both paths). */
    static final int ASSIGN_TILE = 64;
    /** Columns per centroid-update task. */
    static final int UPDATE_COLUMNS = 32;
    /** Floats per element-wise task (subtract, accumulate, quantize, dequantize). */
    static final int ELEMENTS_PER_TASK = 1 << 16;

    /**
     * Smallest per-slice assignment, in multiply-adds times two ({@code 2 S K D}), worth an
     * OpenBLAS GEMM; below it the JNI and copy overhead exceeds what BLAS saves (measured, see
     * README).
     */
    static final long GEMM_MIN_FLOPS = 1L << 16;

    private final WorkerPool pool;
    private final long gemmMinFlops;
    private final GemmAssign gemm = new GemmAssign();
    private volatile boolean closed;

    /** A backend with {@link WorkerPool#configuredThreads()} workers. */
    public CpuBackend() {
        this(WorkerPool.configuredThreads());
    }

    /** A backend with {@code threads} workers (1 runs everything on the calling thread). */
    public CpuBackend(int threads) {
        this(threads, Nd4jSupport.enabledByProperty() ? GEMM_MIN_FLOPS : Long.MAX_VALUE);
    }

    /**
     * A backend that uses the GEMM path for slices of at least {@code gemmMinFlops}
     * ({@code Long.MAX_VALUE}: never; 0: always, where ND4J loads). Both paths give the same bits.
     */
    CpuBackend(int threads, long gemmMinFlops) {
        if (gemmMinFlops < 0) {
            throw new IllegalArgumentException("gemmMinFlops: must not be negative, got " + gemmMinFlops);
        }
        Simd.checkProperty();
        this.pool = new WorkerPool(threads);
        this.gemmMinFlops = gemmMinFlops;
    }

    /** Whether an assignment of one {@code [tokens, dim]} slice against {@code clusters} uses GEMM. */
    boolean usesGemm(int tokens, int dim, int clusters) {
        return gemmMinFlops != Long.MAX_VALUE && 2L * tokens * dim * clusters >= gemmMinFlops
                && Nd4jSupport.available();
    }

    @Override
    public String name() {
        return CpuBackendProvider.NAME;
    }

    /** How many worker threads this backend uses. */
    public int threads() {
        return pool.threads();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("cpu backend: used after close()");
        }
    }

    @Override
    public void assign(SliceBatch batch, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                       boolean[] active) {
        ensureOpen();
        KernelArgs.checkAssign(batch, points, centroids, clusters, ids, changed, active);
        int[] slices = activeSlices(batch, active);
        int S = batch.tokens(), D = batch.dim();
        if (slices.length > 0 && usesGemm(S, D, clusters)) {
            for (int i : slices) {
                changed[i] = gemm.assignSlice(pool, points, centroids, i, S, D, clusters, ids, ASSIGN_TILE);
            }
            return;
        }
        float[][] packed = new float[slices.length][];
        float[][] norms = new float[slices.length][];
        pool.run(slices.length, a -> {
            int cBase = slices[a] * clusters * D;
            packed[a] = JavaAssign.pack(centroids, cBase, clusters, D);
            norms[a] = JavaAssign.norms(centroids, cBase, clusters, D);
        });
        int tilesPerSlice = (S + ASSIGN_TILE - 1) / ASSIGN_TILE;
        int[] taskChanged = new int[slices.length * tilesPerSlice];
        pool.run(taskChanged.length, t -> {
            int a = t / tilesPerSlice;
            int tile = t % tilesPerSlice;
            int first = slices[a] * S;
            int from = first + tile * ASSIGN_TILE;
            int to = Math.min(first + S, from + ASSIGN_TILE);
            taskChanged[t] = JavaAssign.assignRows(points, D, packed[a], norms[a], clusters, from, to, ids);
        });
        for (int a = 0; a < slices.length; a++) {
            int sum = 0;
            for (int tile = 0; tile < tilesPerSlice; tile++) {
                sum += taskChanged[a * tilesPerSlice + tile];
            }
            changed[slices[a]] = sum;
        }
    }

    @Override
    public void updateCentroids(SliceBatch batch, float[] points, int[] ids, int clusters, float[] centroids,
                                boolean[] active) {
        ensureOpen();
        KernelArgs.checkUpdate(batch, points, ids, clusters, centroids, active);
        int[] slices = activeSlices(batch, active);
        int D = batch.dim();
        int parts = (D + UPDATE_COLUMNS - 1) / UPDATE_COLUMNS;
        pool.run(slices.length * parts, t -> {
            int i = slices[t / parts];
            int d0 = (t % parts) * UPDATE_COLUMNS;
            int d1 = Math.min(D, d0 + UPDATE_COLUMNS);
            CentroidUpdate.columns(batch, points, ids, clusters, centroids, i, d0, d1);
        });
    }

    @Override
    public void subtractCentroids(SliceBatch batch, float[] points, int[] ids, float[] centroids, int clusters) {
        ensureOpen();
        KernelArgs.checkRows(batch, "points", points, ids, centroids, clusters);
        int rowsPerTask = rowsPerTask(batch.dim());
        pool.run(tasks(batch.rows(), rowsPerTask), t -> {
            int from = t * rowsPerTask, to = Math.min(batch.rows(), from + rowsPerTask);
            CentroidUpdate.addRows(batch, points, ids, centroids, clusters, from, to, -1);
        });
    }

    @Override
    public void accumulateCentroids(SliceBatch batch, float[] out, int[] ids, float[] centroids, int clusters) {
        ensureOpen();
        KernelArgs.checkRows(batch, "out", out, ids, centroids, clusters);
        int rowsPerTask = rowsPerTask(batch.dim());
        pool.run(tasks(batch.rows(), rowsPerTask), t -> {
            int from = t * rowsPerTask, to = Math.min(batch.rows(), from + rowsPerTask);
            CentroidUpdate.addRows(batch, out, ids, centroids, clusters, from, to, 1);
        });
    }

    @Override
    public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
        ensureOpen();
        KernelArgs.checkQuantize(x, rows, cols, config);
        PackedBlocks out = PackedBlocks.allocate(rows, cols, config);
        boolean vectorQuantize = VectorWarmup.ready((long) rows * cols) && VectorBlockKernels.quantizes(config);
        int rowsPerTask = rowsPerTask(cols);
        pool.run(tasks(rows, rowsPerTask), t -> {
            int from = t * rowsPerTask, to = Math.min(rows, from + rowsPerTask);
            if (vectorQuantize) {
                VectorKernelCalls.quantizeRows(x, out, from, to);
            } else {
                BlockKernels.quantizeRows(x, out, from, to);
            }
        });
        return out;
    }

    @Override
    public void unpackDequant(PackedBlocks blocks, float[] out) {
        ensureOpen();
        KernelArgs.checkDequant(blocks, out);
        int rowsPerTask = rowsPerTask(blocks.cols());
        boolean vector = vectorDequantize(blocks);
        pool.run(tasks(blocks.rows(), rowsPerTask), t -> {
            int from = t * rowsPerTask, to = Math.min(blocks.rows(), from + rowsPerTask);
            dequantizeRows(vector, blocks, out, from, to);
        });
    }

    /**
     * One pass per row range: dequantize, then add each stage's centroids in stage order, the
     * same float additions as the default composition, while the rows are still in cache.
     */
    @Override
    public void decode(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[] out) {
        ensureOpen();
        KernelArgs.checkDequant(blocks, out);
        float[][] stageCentroids = checkedStages(batch, out, stages);
        int cols = blocks.cols();
        int rowsPerTask = rowsPerTask(cols);
        boolean vector = vectorDequantize(blocks);
        if (vector && cols == batch.dim() && blocks.rows() == batch.rows()) {
            fusedDecode(batch, blocks, stages, stageCentroids, out, 0, batch.tokens() * cols);
            return;
        }
        pool.run(tasks(blocks.rows(), rowsPerTask), t -> {
            int from = t * rowsPerTask, to = Math.min(blocks.rows(), from + rowsPerTask);
            dequantizeRows(vector, blocks, out, from, to);
            long e0 = (long) from * cols, e1 = (long) to * cols;
            for (int s = 0; s < stageCentroids.length; s++) {
                ClusterStage st = stages.get(s);
                CentroidUpdate.addElements(batch, out, st.ids(), stageCentroids[s], st.clusters(), (int) e0, (int) e1);
            }
        });
    }

    /** In place with the SIMD kernels; otherwise the SPI's default (decode, then copy each slice). */
    @Override
    public void decodeInto(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[] out, int offset,
                           int sliceStride) {
        ensureOpen();
        dev.qvg.api.Args.notNull(batch, "batch");
        KernelArgs.checkDequantInto(blocks, batch.slices(), out, offset, sliceStride);
        if (vectorDequantize(blocks) && blocks.cols() == batch.dim() && blocks.rows() == batch.rows()) {
            float[][] stageCentroids = checkedStages(batch, null, stages);
            fusedDecode(batch, blocks, stages, stageCentroids, out, offset, sliceStride);
            return;
        }
        Backend.super.decodeInto(batch, blocks, stages, out, offset, sliceStride);
    }

    /** Each stage's centroids as floats, after checking them against the batch (and {@code out}, when given). */
    private static float[][] checkedStages(SliceBatch batch, float[] out, List<ClusterStage> stages) {
        if (stages == null) {
            throw new IllegalArgumentException("stages: must not be null (use an empty list)");
        }
        float[][] stageCentroids = new float[stages.size()][];
        for (int s = 0; s < stages.size(); s++) {
            ClusterStage st = stages.get(s);
            stageCentroids[s] = st.centroidsAsFloat();
            if (out != null) {
                KernelArgs.checkRows(batch, "out", out, st.ids(), stageCentroids[s], st.clusters());
            } else {
                KernelArgs.checkCentroidsAndIds(batch, st.ids(), stageCentroids[s], st.clusters());
            }
        }
        return stageCentroids;
    }

    /** Fused SIMD decode: every value dequantized and its centroids added while in registers. */
    private void fusedDecode(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[][] stageCentroids,
                             float[] out, int offset, int sliceStride) {
        int[][] ids = new int[stages.size()][];
        int[] clusters = new int[stages.size()];
        for (int s = 0; s < ids.length; s++) {
            ids[s] = stages.get(s).ids();
            clusters[s] = stages.get(s).clusters();
        }
        int rowsPerTask = rowsPerTask(blocks.cols());
        pool.run(tasks(blocks.rows(), rowsPerTask), t -> {
            int from = t * rowsPerTask, to = Math.min(blocks.rows(), from + rowsPerTask);
            VectorKernelCalls.decodeRows(blocks, out, from, to, batch.tokens(), ids, stageCentroids, clusters,
                    offset, sliceStride);
        });
    }

    /** Whether this call runs the SIMD dequantizer; counts its values towards the warm-up. */
    private static boolean vectorDequantize(PackedBlocks blocks) {
        return VectorWarmup.ready((long) blocks.rows() * blocks.cols()) && VectorBlockKernels.dequantizes(blocks.config());
    }

    private static void dequantizeRows(boolean vector, PackedBlocks blocks, float[] out, int from, int to) {
        if (vector) {
            VectorKernelCalls.dequantizeRows(blocks, out, from, to);
        } else {
            BlockKernels.dequantizeRows(blocks, out, from, to);
        }
    }

    /** Shuts the pool down; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        pool.close();
        gemm.clear();
    }

    private static int[] activeSlices(SliceBatch batch, boolean[] active) {
        int n = 0;
        for (int i = 0; i < batch.slices(); i++) {
            if (active == null || active[i]) {
                n++;
            }
        }
        int[] out = new int[n];
        n = 0;
        for (int i = 0; i < batch.slices(); i++) {
            if (active == null || active[i]) {
                out[n++] = i;
            }
        }
        return out;
    }

    private static int rowsPerTask(int rowLength) {
        return Math.max(1, ELEMENTS_PER_TASK / rowLength);
    }

    private static int tasks(int rows, int rowsPerTask) {
        return (rows + rowsPerTask - 1) / rowsPerTask;
    }
}
