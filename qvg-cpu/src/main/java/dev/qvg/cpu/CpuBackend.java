package dev.qvg.cpu;

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
import dev.qvg.api.tensor.FiniteScan;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU backend: the reference kernels made fast and parallel, with results that equal the
 * reference bit for bit and do not depend on the thread count.
 *
 * <ul>
 *   <li>Work is split into tasks of a fixed size (never derived from the thread count) and run on
 *       a bounded pool ({@value WorkerPool#THREADS_PROPERTY}, default the available processors).</li>
 *   <li>{@link #cluster} and {@link #encodeSpan}, the coarse operations, run one slice per worker
 *       from start to end (every iteration of every stage, then the block quantization of that
 *       slice's rows, {@link SliceKMeans}) when there are at least as many slices as workers and
 *       the SIMD assignment runs; otherwise they are the SPI's compositions of the kernels below,
 *       each split across the workers.</li>
 *   <li>{@link #assign}: a register-tiled SIMD kernel with a certified re-check
 *       ({@link VectorAssign}) where the Vector API runs, else an OpenBLAS GEMM with the same
 *       re-check ({@link GemmAssign}) for large slices, pure Java in the reference's summation order
 *       for small ones ({@link JavaAssign}); all give the reference's ids, ties included.</li>
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
    /** Rows per SIMD assignment task when one slice is split across workers. */
    static final int VECTOR_ASSIGN_ROWS = 256;
    /** Floats per element-wise task (subtract, accumulate, quantize, dequantize). */
    static final int ELEMENTS_PER_TASK = 1 << 16;

    /**
     * Smallest per-slice assignment, in multiply-adds times two ({@code 2 S K D}), worth an
     * OpenBLAS GEMM; below it the JNI and copy overhead exceeds what BLAS saves (measured, see
     * README).
     */
    static final long GEMM_MIN_FLOPS = 1L << 16;

    /** System property: {@code false} keeps k-means off the SIMD assignment (GEMM or pure Java instead). */
    public static final String VECTOR_KMEANS_PROPERTY = "qvg.cpu.simd.kmeans";

    private final WorkerPool pool;
    private final long gemmMinFlops;
    private final boolean vectorKMeans;
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
        this(threads, gemmMinFlops, Simd.parseSwitch(System.getProperty(VECTOR_KMEANS_PROPERTY, "true")) && Simd.enabled());
    }

    /**
     * As {@link #CpuBackend(int, long)}, saying whether k-means may use the SIMD assignment
     * (only where {@link Simd#enabled()}; all paths give the same bits).
     */
    CpuBackend(int threads, long gemmMinFlops, boolean vectorKMeans) {
        if (gemmMinFlops < 0) {
            throw new IllegalArgumentException("gemmMinFlops: must not be negative, got " + gemmMinFlops);
        }
        Simd.checkProperty();
        this.pool = new WorkerPool(threads);
        this.gemmMinFlops = gemmMinFlops;
        this.vectorKMeans = vectorKMeans && Simd.enabled();
    }

    /**
     * Whether an assignment of one {@code [tokens, dim]} slice against {@code clusters} uses the
     * SIMD kernel: where the Vector API runs, for the slices large enough for GEMM too (the kernel
     * costs about 0.3 s of JIT compilation once per JVM, earned back within a second of k-means).
     */
    boolean usesVectorAssign(int tokens, int dim, int clusters) {
        return vectorKMeans && 2L * tokens * dim * clusters >= Math.min(gemmMinFlops, GEMM_MIN_FLOPS);
    }

    /** Whether an assignment of one {@code [tokens, dim]} slice against {@code clusters} uses GEMM. */
    boolean usesGemm(int tokens, int dim, int clusters) {
        return !usesVectorAssign(tokens, dim, clusters) && gemmMinFlops != Long.MAX_VALUE && 2L * tokens * dim * clusters >= gemmMinFlops
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
        if (slices.length > 0 && usesVectorAssign(S, D, clusters)) {
            vectorAssign(batch, points, centroids, clusters, ids, changed, slices);
            return;
        }
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

    /** {@link VectorAssign} over row tiles of the active slices, spread over the workers. */
    private void vectorAssign(SliceBatch batch, float[] points, float[] centroids, int clusters, int[] ids,
                              int[] changed, int[] slices) {
        int S = batch.tokens(), D = batch.dim();
        CentroidPanels[] panels = new CentroidPanels[slices.length];
        pool.run(slices.length, a -> {
            panels[a] = new CentroidPanels(clusters, D, VectorAssign.lanes());
            panels[a].load(centroids, slices[a] * clusters * D);
        });
        int rowsPerTask = VECTOR_ASSIGN_ROWS;
        int tilesPerSlice = (S + rowsPerTask - 1) / rowsPerTask;
        int[] taskChanged = new int[slices.length * tilesPerSlice];
        pool.run(taskChanged.length, t -> {
            int a = t / tilesPerSlice;
            int first = slices[a] * S;
            int from = first + (t % tilesPerSlice) * rowsPerTask;
            int to = Math.min(first + S, from + rowsPerTask);
            float[] scratch = new float[VectorAssign.scratchLength(panels[a])];
            float[] norms = new float[to - from];
            VectorKernelCalls.rowNorms(points, D, from, to, norms, 0);
            taskChanged[t] = VectorKernelCalls.assignRows(points, D, panels[a], centroids, slices[a] * clusters * D, from,
                    to, ids, scratch, norms, from);
        });
        for (int a = 0; a < slices.length; a++) {
            int sum = 0;
            for (int tile = 0; tile < tilesPerSlice; tile++) {
                sum += taskChanged[a * tilesPerSlice + tile];
            }
            changed[slices[a]] = sum;
        }
    }

    /**
     * One slice's whole k-means per worker when the SIMD assignment runs and there are at least as
     * many slices as workers; otherwise the SPI's composition, whose kernels split each slice across
     * the workers. The same bits either way ({@link SliceKMeans}).
     */
    @Override
    public ClusteringResult cluster(SliceBatch batch, float[] points, KMeansConfig config, float[] initialCentroids) {
        ensureOpen();
        LloydKMeans.checkArgs(batch, points, config, initialCentroids);
        if (!slicePerWorker(batch, config.clusters())) {
            return LloydKMeans.run(this, batch, points, config, initialCentroids);
        }
        float[] centroids = initialCentroids != null ? initialCentroids.clone()
                : LloydKMeans.initialCentroids(batch, points, config);
        int[] ids = new int[batch.rows()];
        int[] iterations = new int[batch.slices()];
        pool.run(batch.slices(), i -> new SliceKMeans(config.clusters(), batch.dim())
                .run(batch, points, i, config, centroids, ids, iterations));
        return new ClusteringResult(centroids, ids, iterations);
    }

    /**
     * One slice per worker from its first stage to its packed blocks when {@link #cluster} would
     * run that way and no stage-init hook needs the whole batch's stage input; otherwise the SPI's
     * composition of {@link #cluster}, {@link #subtractCentroids} and {@link #quantizePack}. Each
     * slice's last subtraction and its block quantization go tile by tile while the rows are in
     * cache. Same bits as the composition.
     */
    @Override
    public ResidualCode encodeSpan(SliceBatch batch, float[] x, SpanPlan plan) {
        ensureOpen();
        SpanEncoding.checkArgs(batch, x, plan);
        if (plan.stages() == 0 || plan.init() != null || !slicePerWorker(batch, plan.kmeans().clusters())) {
            return Backend.super.encodeSpan(batch, x, plan);
        }
        // The finite check reads the whole span: on the workers, slice by slice, and only when a slice
        // fails does the reference check run to name the first bad value the way it always does.
        boolean[] bad = new boolean[batch.slices()];
        pool.run(batch.slices(), i -> bad[i] = !FiniteScan.all(x, i * batch.sliceSize(), batch.sliceSize()));
        for (boolean b : bad) {
            if (b) {
                LloydKMeans.checkArgs(batch, x, plan.kmeans(), null);
            }
        }
        KernelArgs.checkQuantize(x, batch.rows(), batch.dim(), plan.quant());
        int n = batch.slices(), S = batch.tokens(), D = batch.dim(), K = plan.kmeans().clusters(), stages = plan.stages();
        float[][] centroids = new float[stages][n * K * D];
        short[][] stored = new short[stages][n * K * D];
        float[][] storedFloat = new float[stages][n * K * D];
        int[][] ids = new int[stages][n * S];
        int[][] iterations = new int[stages][n];
        PackedBlocks blocks = PackedBlocks.allocate(batch.rows(), D, plan.quant());
        boolean vectorQuantize = VectorWarmup.ready((long) batch.rows() * D) && VectorBlockKernels.quantizes(plan.quant());
        pool.run(n, i -> {
            SliceKMeans km = new SliceKMeans(K, D);
            for (int s = 0; s < stages; s++) {
                KMeansConfig config = plan.stageConfig(s);
                LloydKMeans.initialCentroids(batch, x, config, i, centroids[s]);
                km.run(batch, x, i, config, centroids[s], ids[s], iterations[s]);
                SpanEncoding.roundToStored(centroids[s], stored[s], storedFloat[s], i * K * D, K * D);
                if (s + 1 < stages) {
                    CentroidUpdate.addRows(batch, x, ids[s], storedFloat[s], K, i * S, (i + 1) * S, -1);
                }
            }
            int tile = rowsPerTask(D);
            for (int from = i * S; from < (i + 1) * S; from += tile) {
                int to = Math.min((i + 1) * S, from + tile);
                CentroidUpdate.addRows(batch, x, ids[stages - 1], storedFloat[stages - 1], K, from, to, -1);
                if (vectorQuantize) {
                    VectorKernelCalls.quantizeRows(x, blocks, from, to);
                } else {
                    BlockKernels.quantizeRows(x, blocks, from, to);
                }
            }
        });
        List<ClusterStage> done = new ArrayList<>(stages);
        for (int s = 0; s < stages; s++) {
            done.add(new ClusterStage(n, S, D, K, stored[s], ids[s], iterations[s]));
        }
        return new ResidualCode(done, blocks);
    }

    /** Whether the coarse operations run one slice per worker (see {@link #cluster}). */
    private boolean slicePerWorker(SliceBatch batch, int clusters) {
        return batch.slices() >= pool.threads() && usesVectorAssign(batch.tokens(), batch.dim(), clusters);
    }

    @Override
    public void updateCentroids(SliceBatch batch, float[] points, int[] ids, int clusters, float[] centroids,
                                boolean[] active) {
        ensureOpen();
        KernelArgs.checkUpdate(batch, points, ids, clusters, centroids, active);
        int[] slices = activeSlices(batch, active);
        int D = batch.dim();
        int parts = (D + UPDATE_COLUMNS - 1) / UPDATE_COLUMNS;
        boolean vector = slices.length > 0 && usesVectorAssign(batch.tokens(), D, clusters);
        pool.run(slices.length * parts, t -> {
            int i = slices[t / parts];
            int d0 = (t % parts) * UPDATE_COLUMNS;
            int d1 = Math.min(D, d0 + UPDATE_COLUMNS);
            if (vector) {
                VectorKernelCalls.sliceMeans(points, ids, i, batch.tokens(), D, clusters, centroids,
                        new double[clusters * (d1 - d0)], new int[clusters], d0, d1);
            } else {
                CentroidUpdate.columns(batch, points, ids, clusters, centroids, i, d0, d1);
            }
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
