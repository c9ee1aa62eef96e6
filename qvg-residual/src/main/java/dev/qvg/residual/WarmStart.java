package dev.qvg.residual;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.Seeds;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Map;

/**
 * Warm-started k-means across spans (issue 11): each stage of a span starts from the stored
 * (bf16) centroids of the same stage of the previous span, instead of random rows. Off by
 * default; switched on per config through {@link QuantizerConfig#params()}:
 * <ul>
 *   <li>{@value #PARAM} = {@code true|false} (default {@code false}): use the hint that
 *       {@link dev.qvg.api.spi.Quantizer#quantize(dev.qvg.api.tensor.KvTensor, dev.qvg.api.tensor.KvRole, java.util.List)}
 *       receives; with {@code false} the hint is ignored and the result is bit-identical to a
 *       cold {@code quantize(x, role)}.</li>
 *   <li>{@value #RESEED_EMPTY_PARAM} = {@code true|false} (default {@code true}): a centroid that
 *       no row of this span would choose (a region that left the picture, a duplicate of random
 *       init) restarts at a row of this stage's input drawn by the k-means++ rule, seeded by
 *       {@code Seeds.derive(seed, stage, slice, cluster)}; the assignment pass that finds them is
 *       counted as one k-means iteration. Measured on chelsea: without it about 100 of 256
 *       centroids per slice end empty and the error is 5 to 10% worse than cold. Only the
 *       {@code prq} residual provider lets a later stage's input be seen; with another provider
 *       the hint's centroids are used as they are.</li>
 * </ul>
 * Deterministic: the draws depend only on the config's seed and the indices, so the same seed
 * and the same stream of chunks give the same bits.
 */
public final class WarmStart {

    /** Params key of the switch. */
    public static final String PARAM = "warmStart";
    /** Params key of the empty-cluster restarts. */
    public static final String RESEED_EMPTY_PARAM = "warmStartReseedEmpty";

    /** The knobs of the methods that warm-start (sas, prq). */
    static final java.util.List<dev.qvg.api.spi.Knob> KNOBS = java.util.List.of(
            dev.qvg.api.spi.Knob.bool(PARAM, "--warm-start", false,
                    "start each span's k-means from the previous span's centroids (cache and rollout; default: false)"),
            dev.qvg.api.spi.Knob.bool(RESEED_EMPTY_PARAM, "--warm-start-reseed-empty", true,
                    "with --warm-start, restart centroids no token chooses by the k-means++ rule (default: true)"));

    private final boolean enabled;
    private final boolean reseedEmpty;

    private WarmStart(boolean enabled, boolean reseedEmpty) {
        this.enabled = enabled;
        this.reseedEmpty = reseedEmpty;
    }

    /** The settings in {@code config.params()}; a value other than true/false is refused naming the key. */
    public static WarmStart of(QuantizerConfig config) {
        return new WarmStart(KNOBS.get(0).boolValue(config), KNOBS.get(1).boolValue(config));
    }

    /** {@code config} with warm starts switched on or off (other params kept). */
    public static QuantizerConfig enable(QuantizerConfig config, boolean on) {
        Map<String, String> p = new java.util.TreeMap<>(config.params());
        p.put(PARAM, Boolean.toString(on));
        return config.toBuilder().params(p).build();
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean reseedEmpty() {
        return reseedEmpty;
    }

    /** Refuses a hint stage that cannot start this batch's k-means, naming what differs. */
    static void check(ClusterStage hint, int stage, SliceBatch batch, int clusters) {
        if (hint.slices() != batch.slices() || hint.dim() != batch.dim() || hint.clusters() != clusters) {
            throw new IllegalArgumentException("warmStart: stage " + stage + " holds " + hint.slices() + " slices x "
                    + hint.clusters() + " centroids of " + hint.dim() + ", expected " + batch.slices() + " x " + clusters
                    + " of " + batch.dim());
        }
    }

    /**
     * {@code [slices, K, D]} initial centroids from {@code hint}. With {@code reseedEmpty}, one
     * assignment pass of {@code stageInput} against the hint's centroids (counted as one k-means
     * iteration by the caller) finds the centroids no row of this span chooses; each of those
     * restarts at a row drawn with probability proportional to its squared distance to the
     * nearest centroid so far (the k-means++ rule, with the draw from
     * {@code Seeds.derive(seed, stage, slice, cluster)}), so the restarts go where the previous
     * span's centroids do not cover this span's content.
     */
    float[] initialCentroids(ClusterStage hint, int stage, SliceBatch batch, float[] stageInput, long seed,
                             Backend backend) {
        float[] c = hint.centroidsAsFloat();
        if (!reseedEmpty) {
            return c;
        }
        int n = batch.slices(), K = hint.clusters(), D = batch.dim(), S = batch.tokens();
        int[] ids = new int[batch.rows()];
        java.util.Arrays.fill(ids, -1);
        boolean[] active = new boolean[n];
        java.util.Arrays.fill(active, true);
        backend.assign(batch, stageInput, c, K, ids, new int[n], active);
        boolean[] used = new boolean[K];
        double[] d2 = new double[S];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(used, false);
            for (int t = 0; t < S; t++) {
                int id = ids[i * S + t];
                used[id] = true;
                d2[t] = distance2(stageInput, (i * S + t) * D, c, (i * K + id) * D, D);
            }
            for (int k = 0; k < K; k++) {
                if (used[k]) {
                    continue;
                }
                double u = (Seeds.derive(seed, stage, (long) batch.firstSlice() + i, k) >>> 11) * 0x1.0p-53;
                int row = draw(d2, u);
                int at = (i * K + k) * D;
                System.arraycopy(stageInput, (i * S + row) * D, c, at, D);
                for (int t = 0; t < S; t++) {
                    d2[t] = Math.min(d2[t], distance2(stageInput, (i * S + t) * D, c, at, D));
                }
            }
        }
        return c;
    }

    private static double distance2(float[] a, int ai, float[] b, int bi, int D) {
        double s = 0;
        for (int d = 0; d < D; d++) {
            double diff = (double) a[ai + d] - b[bi + d];
            s += diff * diff;
        }
        return s;
    }

    /** The row whose cumulative weight first exceeds {@code u} times the total; uniform when all are 0. */
    private static int draw(double[] w, double u) {
        double total = 0;
        for (double v : w) {
            total += v;
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            return (int) Math.min(w.length - 1, (long) (u * w.length));
        }
        double target = u * total, acc = 0;
        int last = 0;
        for (int t = 0; t < w.length; t++) {
            if (w[t] > 0) {
                acc += w[t];
                last = t;
                if (target < acc) {
                    return t;
                }
            }
        }
        return last;
    }
}
