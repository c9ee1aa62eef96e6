package dev.qvg.example;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.KernelArgs;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately simple backend: single-threaded straight loops, written independently of the
 * reference kernels, to show what a third-party backend must do and how the conformance kit
 * checks it. The parts every backend needs:
 * <ol>
 *   <li>argument checks through {@link KernelArgs} before anything is written, so bad input gets
 *       the same exception and message as every other backend;</li>
 *   <li>the exact arithmetic the contract fixes (distance form, tie rule, rounding, no fused
 *       multiply-add where the reference has none);</li>
 *   <li>a closed flag: after {@link #close()} every kernel throws {@link IllegalStateException}.</li>
 * </ol>
 * Not safe for concurrent calls (the contract allows that unless {@code thread-safe} is listed).
 */
final class ExampleBackend implements Backend {

    private final String name;
    private volatile boolean closed;

    ExampleBackend(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("backend '" + name + "' is closed");
        }
    }

    @Override
    public void assign(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                       boolean[] active) {
        requireOpen();
        KernelArgs.checkAssign(b, points, centroids, clusters, ids, changed, active);
        int S = b.tokens(), D = b.dim();
        float[] cc = new float[clusters];
        for (int i = 0; i < b.slices(); i++) {
            if (active != null && !active[i]) {
                continue;
            }
            int cBase = i * clusters * D;
            for (int k = 0; k < clusters; k++) {
                float sum = 0f;
                for (int d = 0; d < D; d++) {
                    float v = centroids[cBase + k * D + d];
                    sum += v * v;
                }
                cc[k] = sum;
            }
            int moved = 0;
            for (int s = 0; s < S; s++) {
                int row = (i * S + s) * D;
                float xx = 0f;
                for (int d = 0; d < D; d++) {
                    xx += points[row + d] * points[row + d];
                }
                int best = 0;
                float bestDist = Float.POSITIVE_INFINITY;
                for (int k = 0; k < clusters; k++) {
                    float xc = 0f;
                    for (int d = 0; d < D; d++) {
                        xc += points[row + d] * centroids[cBase + k * D + d];
                    }
                    float dist = xx - 2f * xc + cc[k];
                    if (dist < bestDist) { // strict: ties stay with the lower index
                        bestDist = dist;
                        best = k;
                    }
                }
                if (ids[i * S + s] != best) {
                    moved++;
                }
                ids[i * S + s] = best;
            }
            changed[i] = moved;
        }
    }

    @Override
    public void updateCentroids(SliceBatch b, float[] points, int[] ids, int clusters, float[] centroids,
                                boolean[] active) {
        requireOpen();
        KernelArgs.checkUpdate(b, points, ids, clusters, centroids, active);
        int S = b.tokens(), D = b.dim();
        for (int i = 0; i < b.slices(); i++) {
            if (active != null && !active[i]) {
                continue;
            }
            double[] sums = new double[clusters * D];
            int[] counts = new int[clusters];
            for (int s = 0; s < S; s++) {
                int k = ids[i * S + s];
                counts[k]++;
                for (int d = 0; d < D; d++) {
                    sums[k * D + d] += points[(i * S + s) * D + d];
                }
            }
            for (int k = 0; k < clusters; k++) {
                if (counts[k] > 0) { // an empty cluster keeps its centroid
                    for (int d = 0; d < D; d++) {
                        centroids[(i * clusters + k) * D + d] = (float) (sums[k * D + d] / counts[k]);
                    }
                }
            }
        }
    }

    @Override
    public void subtractCentroids(SliceBatch b, float[] points, int[] ids, float[] centroids, int clusters) {
        requireOpen();
        KernelArgs.checkRows(b, "points", points, ids, centroids, clusters);
        addRows(b, points, ids, centroids, clusters, -1);
    }

    @Override
    public void accumulateCentroids(SliceBatch b, float[] out, int[] ids, float[] centroids, int clusters) {
        requireOpen();
        KernelArgs.checkRows(b, "out", out, ids, centroids, clusters);
        addRows(b, out, ids, centroids, clusters, +1);
    }

    private static void addRows(SliceBatch b, float[] rows, int[] ids, float[] centroids, int clusters, int sign) {
        int S = b.tokens(), D = b.dim();
        for (int r = 0; r < b.rows(); r++) {
            int c = ((r / S) * clusters + ids[r]) * D;
            for (int d = 0; d < D; d++) {
                rows[r * D + d] = sign > 0 ? rows[r * D + d] + centroids[c + d] : rows[r * D + d] - centroids[c + d];
            }
        }
    }

    @Override
    public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
        requireOpen();
        KernelArgs.checkQuantize(x, rows, cols, config);
        return ExampleBlockFormat.quantize(x, rows, cols, config);
    }

    @Override
    public void unpackDequant(PackedBlocks blocks, float[] out) {
        requireOpen();
        KernelArgs.checkDequant(blocks, out);
        for (int r = 0; r < blocks.rows(); r++) {
            ExampleBlockFormat.dequantRow(blocks, r, out, r * blocks.cols());
        }
    }

    /**
     * One pass per row: dequantize it, then add each stage's centroid in stage order (the order
     * and the separate additions are what make it bit-identical to the reference decoder). All
     * stages are checked before the first row is written.
     */
    @Override
    public void decode(SliceBatch b, PackedBlocks blocks, List<ClusterStage> stages, float[] out) {
        requireOpen();
        KernelArgs.checkDequant(blocks, out);
        b.requireLength("out", out, b.dim());
        if (blocks.rows() != b.rows() || blocks.cols() != b.dim()) {
            throw new IllegalArgumentException("blocks: [" + blocks.rows() + ", " + blocks.cols() + "] do not match "
                    + "the batch " + b + " (expected [" + b.rows() + ", " + b.dim() + "])");
        }
        List<float[]> cents = new ArrayList<>();
        for (ClusterStage st : stages) {
            float[] c = st.centroidsAsFloat();
            KernelArgs.checkRows(b, "out", out, st.ids(), c, st.clusters());
            cents.add(c);
        }
        int S = b.tokens(), D = b.dim();
        for (int r = 0; r < b.rows(); r++) {
            ExampleBlockFormat.dequantRow(blocks, r, out, r * D);
            for (int s = 0; s < stages.size(); s++) {
                ClusterStage st = stages.get(s);
                int c = ((r / S) * st.clusters() + st.ids()[r]) * D;
                float[] cf = cents.get(s);
                for (int d = 0; d < D; d++) {
                    out[r * D + d] = out[r * D + d] + cf[c + d];
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
