package dev.qvg.cuda;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.reference.SpanEncoding;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SpanEncoding#compose} with the span resident on the device: one upload of {@code x};
 * per stage the whole k-means ({@link DeviceKMeans}), the centroids rounded to their stored bf16,
 * the stored centroids subtracted in place; then the block quantization of the residual where it
 * lies. What comes back: each stage's ids and bf16 centroids, the codes and scales, and at the end
 * the final residual into {@code x} (the caller's work copy, as the contract says).
 *
 * <p>The host copy of the residual is brought up to date only when something on the host needs
 * it: the {@link dev.qvg.api.spi.StageInit} hook (it is given the stage input), k-means++
 * initialisation of a later stage (its draws depend on the data), and an error (the default
 * leaves {@code x} holding the residual of the stages done, so this does too). Random
 * initialisation of a later stage needs only the drawn row numbers (see {@link #randomRows}),
 * gathered on the device. Errors are those of the default, with the same messages, raised at the
 * same point: the hook is asked before the stage's arguments are checked.
 */
final class DeviceSpanEncoder {

    /** Row numbers are drawn through float rows (below); floats hold every integer up to 2^24 exactly. */
    private static final int MAX_EXACT_ROW = 1 << 24;

    private final Gpu gpu;
    private final DeviceKernels kernels;
    private final SliceBatch batch;
    private final float[] x;
    private final SpanPlan plan;
    /** Whether {@link #x} holds what the device holds. */
    private boolean hostCurrent = true;

    DeviceSpanEncoder(Gpu gpu, DeviceKernels kernels, SliceBatch batch, float[] x, SpanPlan plan) {
        this.gpu = gpu;
        this.kernels = kernels;
        this.batch = batch;
        this.x = x;
        this.plan = plan;
    }

    ResidualCode encode() {
        int slices = batch.slices(), S = batch.tokens(), D = batch.dim(), K = plan.kmeans().clusters();
        long cells = (long) slices * K * D;
        List<ClusterStage> done = new ArrayList<>(plan.stages());
        // Stage 0's hook and checks run before anything is uploaded: bad input costs no device work.
        float[] init = plan.stages() > 0 ? prepareStage(0, null, false) : null;
        try (GpuBuffer dx = gpu.copyOf(HostSpan.of(x))) {
            if (plan.stages() > 0) {
                try (DeviceKMeans km = new DeviceKMeans(gpu, kernels, batch, K);
                     GpuBuffer stored = gpu.allocate(2 * cells);
                     GpuBuffer firstBad = gpu.allocate(4)) {
                    boolean nonFinite = false;
                    for (int s = 0; s < plan.stages(); s++) {
                        KMeansConfig config = plan.stageConfig(s);
                        if (s > 0) {
                            init = prepareStage(s, dx, nonFinite);
                        }
                        startFrom(init, config, dx, km);
                        int[] iterations = km.run(dx, config);

                        kernels.roundBf16(km.centroids(), cells, stored, 0);
                        short[] bf = new short[(int) cells];
                        gpu.download(stored, HostSpan.of(bf));
                        int[] ids = new int[batch.rows()];
                        gpu.download(km.ids(), HostSpan.of(ids));
                        if (overflows(bf)) {
                            // The default's own check raises its message, from the float centroids.
                            float[] c = new float[(int) cells];
                            gpu.download(km.centroids(), HostSpan.of(c));
                            refreshHost(dx);
                            SpanEncoding.storedStage(batch, K, new ClusteringResult(c, ids, iterations));
                            throw new IllegalStateException("cuda backend: a bf16 overflow the reference does not see");
                        }
                        gpu.fill32(firstBad, Integer.MAX_VALUE, 1, 0);
                        kernels.subtractBf16(dx, km.ids(), stored, batch.rows(), S, D, K, firstBad, 0);
                        hostCurrent = false;
                        if (s + 1 < plan.stages()) {
                            int[] bad = new int[1];
                            gpu.download(firstBad, HostSpan.of(bad));
                            nonFinite = bad[0] != Integer.MAX_VALUE;
                        }
                        done.add(new ClusterStage(slices, S, D, K, bf, ids, iterations));
                    }
                }
            }
            PackedBlocks blocks = quantize(dx, plan.quant());
            refreshHost(dx);
            return new ResidualCode(done, blocks);
        }
    }

    /**
     * What the default does before stage {@code s}'s k-means: asks the hook (with the stage input),
     * then checks the arguments as {@link LloydKMeans#checkArgs} does (the input must be finite,
     * the hook's centroids well formed). Returns the hook's centroids or {@code null}.
     */
    private float[] prepareStage(int s, GpuBuffer dx, boolean inputNonFinite) {
        if (plan.init() != null || inputNonFinite) {
            refreshHost(dx);
        }
        KMeansConfig config = plan.stageConfig(s);
        float[] init = plan.initialCentroids(s, x);
        if (hostCurrent) {
            LloydKMeans.checkArgs(batch, x, config, init);  // throws where the default's cluster throws
        }
        return init;
    }

    /** Puts the stage's first centroids into {@code km}: the hook's, or drawn as the default draws them. */
    private void startFrom(float[] init, KMeansConfig config, GpuBuffer dx, DeviceKMeans km) {
        if (init != null) {
            gpu.upload(HostSpan.of(init), km.centroids(), 0);
            return;
        }
        if (!hostCurrent && config.init() == KMeansInit.RANDOM && batch.tokens() <= MAX_EXACT_ROW) {
            int[] rows = randomRows(batch, config);
            try (GpuBuffer r = gpu.copyOf(HostSpan.of(rows))) {
                kernels.gatherRows(dx, r, batch.slices(), batch.tokens(), batch.dim(), config.clusters(), km.centroids(), 0);
                gpu.synchronize();  // r is freed on return
            }
            return;
        }
        refreshHost(dx);  // k-means++ draws depend on the data
        gpu.upload(HostSpan.of(LloydKMeans.initialCentroids(batch, x, config)), km.centroids(), 0);
    }

    /**
     * The rows random initialisation copies, {@code [slices, K]}: drawn by the reference's own
     * code ({@link LloydKMeans#initialCentroids}) from a one-column batch whose every row holds
     * its own row number, since random draws depend only on the token count and the slice's seed,
     * never on the values. So the device can gather the rows from the residual it holds, exactly
     * as the default copies them from the host, without the residual coming back.
     */
    static int[] randomRows(SliceBatch batch, KMeansConfig config) {
        SliceBatch column = new SliceBatch(batch.slices(), batch.tokens(), 1, batch.firstSlice());
        float[] rowNumbers = new float[column.rows()];
        for (int i = 0; i < rowNumbers.length; i++) {
            rowNumbers[i] = i % batch.tokens();
        }
        float[] drawn = LloydKMeans.initialCentroids(column, rowNumbers, config.withInit(KMeansInit.RANDOM));
        int[] rows = new int[drawn.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (int) drawn[i];
        }
        return rows;
    }

    private static boolean overflows(short[] bf) {
        for (short v : bf) {
            if ((v & 0x7F80) == 0x7F80) {
                return true;
            }
        }
        return false;
    }

    /** The existing quantize and pack kernels on the resident residual, all rows at once. */
    private PackedBlocks quantize(GpuBuffer dx, BlockQuantConfig config) {
        int rows = batch.rows(), cols = batch.dim();
        PackedBlocks out = PackedBlocks.allocate(rows, cols, config);
        long nb = (long) rows * out.blocksPerRow();
        try (GpuBuffer scales = gpu.allocate(2 * nb);
             GpuBuffer zeros = gpu.allocate(config.symmetric() ? 0 : 2 * nb);
             GpuBuffer usedScale = gpu.allocate(4 * nb);
             GpuBuffer usedZero = gpu.allocate(4 * nb);
             GpuBuffer codes = gpu.allocate((long) rows * out.bytesPerRow())) {
            kernels.quantizeRows(config, cols, 0, rows, dx, scales, zeros, usedScale, usedZero, codes, 0);
            gpu.download(codes, HostSpan.of(out.codes()));
            gpu.download(scales, HostSpan.of(out.scales()));
            if (!config.symmetric()) {
                gpu.download(zeros, HostSpan.of(out.zeros()));
            }
        }
        return out;
    }

    /** Copies the device's residual into {@code x} unless it is there already. */
    private void refreshHost(GpuBuffer dx) {
        if (!hostCurrent) {
            gpu.download(dx, HostSpan.of(x));
            hostCurrent = true;
        }
    }
}
