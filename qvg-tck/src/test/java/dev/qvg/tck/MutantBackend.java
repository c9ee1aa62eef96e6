package dev.qvg.tck;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.KernelArgs;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.reference.ReferenceKernels;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;

/** The reference backend with one deliberate, realistic bug: what the kit must catch. */
final class MutantBackend implements Backend {

    enum Mutation {
        INT4_NIBBLES_SWAPPED, SCALE_LSB_FLIPPED, INT8_ASYM_CODES_SIGNED, DECODE_STAGES_REVERSED, TIES_TO_HIGHEST,
        SECOND_NEAREST_SOMETIMES, CHANGED_MISCOUNTED, EMPTY_CLUSTERS_ZEROED, UPDATE_OFF_BY_1E3, UNCHECKED_IDS,
        WRITES_BEFORE_CHECK, SHARED_SCRATCH,
        /** A device-style cluster() that skips the update after the last assignment. */
        CLUSTER_SKIPS_LAST_UPDATE,
        /** A fused encodeSpan() that seeds every stage with stage 0's seed. */
        SPAN_REUSES_STAGE_SEED,
        /** A cluster() that seeds slices by their index in the batch, not in the tensor. */
        CLUSTER_IGNORES_FIRST_SLICE
    }

    /** One buffer for every instance and thread: fine one call at a time, corrupt when concurrent. */
    private static float[] scratch = new float[0];

    private final Mutation m;
    private final ReferenceBackend ref = new ReferenceBackend();

    MutantBackend(Mutation m) {
        this.m = m;
    }

    @Override
    public String name() {
        return "mutant";
    }

    @Override
    public void assign(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                       boolean[] active) {
        if (m != Mutation.TIES_TO_HIGHEST && m != Mutation.SECOND_NEAREST_SOMETIMES) {
            ref.assign(b, points, centroids, clusters, ids, changed, active);
            if (m == Mutation.CHANGED_MISCOUNTED) {
                changed[0] = b.tokens();
            }
            return;
        }
        KernelArgs.checkAssign(b, points, centroids, clusters, ids, changed, active);
        int S = b.tokens(), D = b.dim();
        for (int i = 0; i < b.slices(); i++) {
            if (active != null && !active[i]) {
                continue;
            }
            int ch = 0;
            for (int s = 0; s < S; s++) {
                int row = i * S + s, best = 0, second = 0;
                float bestD = Float.POSITIVE_INFINITY, secondD = Float.POSITIVE_INFINITY;
                for (int k = 0; k < clusters; k++) {
                    float d = ReferenceKernels.distance(points, row * D, centroids, (i * clusters + k) * D, D);
                    if (d < bestD || (m == Mutation.TIES_TO_HIGHEST && d == bestD)) {
                        second = best;
                        secondD = bestD;
                        best = k;
                        bestD = d;
                    } else if (d < secondD) {
                        second = k;
                        secondD = d;
                    }
                }
                int id = m == Mutation.SECOND_NEAREST_SOMETIMES && s % 17 == 3 && clusters > 1 ? second : best;
                ch += ids[row] != id ? 1 : 0;
                ids[row] = id;
            }
            changed[i] = ch;
        }
    }

    @Override
    public dev.qvg.api.spi.ClusteringResult cluster(SliceBatch b, float[] points, dev.qvg.api.config.KMeansConfig config,
                                                     float[] initialCentroids) {
        if (m == Mutation.CLUSTER_SKIPS_LAST_UPDATE && config.maxIters() > 1) {
            // maxIters - 1 full rounds, then one more assignment without its update
            dev.qvg.api.spi.ClusteringResult r = dev.qvg.api.reference.LloydKMeans.run(this, b, points,
                    config.withMaxIters(config.maxIters() - 1), initialCentroids);
            int[] ids = r.ids().clone();
            int[] changed = new int[b.slices()];
            assign(b, points, r.centroids(), config.clusters(), ids, changed, null);
            return new dev.qvg.api.spi.ClusteringResult(r.centroids(), ids, r.iterations());
        }
        if (m == Mutation.CLUSTER_IGNORES_FIRST_SLICE && b.firstSlice() > 0) {
            return dev.qvg.api.reference.LloydKMeans.run(this, new SliceBatch(b.slices(), b.tokens(), b.dim()), points,
                    config, initialCentroids);
        }
        return Backend.super.cluster(b, points, config, initialCentroids);
    }

    @Override
    public dev.qvg.api.spi.ResidualCode encodeSpan(SliceBatch b, float[] x, dev.qvg.api.spi.SpanPlan plan) {
        if (m == Mutation.SPAN_REUSES_STAGE_SEED && plan.stages() > 1) {
            dev.qvg.api.reference.SpanEncoding.checkArgs(b, x, plan);
            List<ClusterStage> done = new ArrayList<>();
            for (int s = 0; s < plan.stages(); s++) {
                dev.qvg.api.config.KMeansConfig c = plan.stageConfig(0);
                ClusterStage st = dev.qvg.api.reference.SpanEncoding.storedStage(b, c.clusters(),
                        cluster(b, x, c, plan.initialCentroids(s, x)));
                subtractCentroids(b, x, st.ids(), st.centroidsAsFloat(), c.clusters());
                done.add(st);
            }
            return new dev.qvg.api.spi.ResidualCode(done, quantizePack(x, b.rows(), b.dim(), plan.quant()));
        }
        return Backend.super.encodeSpan(b, x, plan);
    }

    @Override
    public void updateCentroids(SliceBatch b, float[] points, int[] ids, int clusters, float[] centroids,
                                boolean[] active) {
        float[] before = centroids.clone();
        ref.updateCentroids(b, points, ids, clusters, centroids, active);
        if (m == Mutation.EMPTY_CLUSTERS_ZEROED || m == Mutation.UPDATE_OFF_BY_1E3) {
            int S = b.tokens(), D = b.dim();
            for (int i = 0; i < b.slices(); i++) {
                if (active != null && !active[i]) {
                    continue;
                }
                boolean[] used = new boolean[clusters];
                for (int s = 0; s < S; s++) {
                    used[ids[i * S + s]] = true;
                }
                for (int k = 0; k < clusters; k++) {
                    for (int d = 0; d < D; d++) {
                        int at = (i * clusters + k) * D + d;
                        if (m == Mutation.EMPTY_CLUSTERS_ZEROED && !used[k]) {
                            centroids[at] = 0f;
                        } else if (m == Mutation.UPDATE_OFF_BY_1E3 && used[k]) {
                            centroids[at] = before[at] == centroids[at] ? centroids[at] : centroids[at] * 1.001f;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void subtractCentroids(SliceBatch b, float[] points, int[] ids, float[] centroids, int clusters) {
        if (m == Mutation.UNCHECKED_IDS || m == Mutation.WRITES_BEFORE_CHECK) {
            int S = b.tokens(), D = b.dim();
            for (int row = 0; row < b.rows(); row++) {
                if (m == Mutation.WRITES_BEFORE_CHECK && (ids[row] < 0 || ids[row] >= clusters)) {
                    throw new IllegalArgumentException("ids: id " + ids[row] + " out of range");
                }
                int at = ((row / S) * clusters + ids[row]) * D;
                for (int d = 0; d < D; d++) {
                    points[row * D + d] -= centroids[at + d];
                }
            }
            return;
        }
        ref.subtractCentroids(b, points, ids, centroids, clusters);
    }

    @Override
    public void accumulateCentroids(SliceBatch b, float[] out, int[] ids, float[] centroids, int clusters) {
        ref.accumulateCentroids(b, out, ids, centroids, clusters);
    }

    @Override
    public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig c) {
        if (m == Mutation.SHARED_SCRATCH) {
            if (scratch.length < x.length) {
                scratch = new float[x.length];
            }
            float[] s = scratch;
            for (int i = 0; i < x.length; i++) {
                s[i] = x[i];
                if (i % 512 == 0) {
                    Thread.yield();
                }
            }
            return ref.quantizePack(java.util.Arrays.copyOf(s, x.length), rows, cols, c);
        }
        PackedBlocks p = ref.quantizePack(x, rows, cols, c);
        if (m == Mutation.INT4_NIBBLES_SWAPPED && c.bits() == 4) {
            byte[] codes = p.codes();
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) (((codes[i] & 0x0F) << 4) | ((codes[i] >> 4) & 0x0F));
            }
        }
        if (m == Mutation.SCALE_LSB_FLIPPED && p.scales()[0] != 0) {
            p.scales()[0] ^= 1;
        }
        return p;
    }

    @Override
    public void unpackDequant(PackedBlocks p, float[] out) {
        ref.unpackDequant(p, out);
        // (A fused multiply-add here would be an equivalent mutant: code * scale is exact in float32
        // for every bf16/FP8 scale and code of at most 8 bits, so it cannot change a bit.)
        if (m == Mutation.INT8_ASYM_CODES_SIGNED && p.config().bits() == 8 && !p.config().symmetric()) {
            int bpr = p.blocksPerRow(), block = p.config().blockSize();
            for (int r = 0; r < p.rows(); r++) {
                for (int c = 0; c < p.cols(); c++) {
                    int s = r * bpr + c / block;
                    float v = p.codes()[r * p.bytesPerRow() + c] * p.config().scalePrecision().decode(p.scales()[s]);
                    out[r * p.cols() + c] = v + p.config().scalePrecision().decode(p.zeros()[s]);
                }
            }
        }
    }

    @Override
    public void decode(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[] out) {
        List<ClusterStage> order = new ArrayList<>(stages);
        if (m == Mutation.DECODE_STAGES_REVERSED) {
            java.util.Collections.reverse(order);
        }
        Backend.super.decode(batch, blocks, order, out);
    }
}
