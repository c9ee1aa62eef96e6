package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;
import java.util.Map;

/**
 * The token-major methods: {@code rtn} (0 stages), {@code rtn-clip} (0 stages after
 * percentile clipping), {@code sas} (1 stage) and {@code prq} ({@code config.stages()}), all
 * through the context's {@link dev.qvg.api.spi.ResidualQuantizer}: per (batch, head) slice,
 * {@code stages} smoothing stages, then blocks of {@code blockSize} values along D per token.
 * Every token is quantized; nothing stays in bf16.
 */
final class ResidualMethodQuantizer extends AbstractKvQuantizer {

    private final int stages;
    private final boolean clip;
    private final WarmStart warm;
    private final int recent;

    /**
     * @param stages smoothing stages this method runs (the config's own {@code stages} is
     *               PRQ's knob; the other methods fix theirs)
     * @param clip   whether to clip each block to its {@code clipPercentile}-th |x| percentile first
     */
    ResidualMethodQuantizer(String method, QuantizerConfig config, QuantizerContext context, int stages, boolean clip) {
        super(method, config, context);
        if (stages < 0 || stages > QuantizerConfig.MAX_STAGES) {
            throw new IllegalArgumentException("stages: must be in 0.." + QuantizerConfig.MAX_STAGES + ", got " + stages);
        }
        this.stages = stages;
        this.clip = clip;
        this.warm = WarmStart.of(config);
        this.recent = TokenMajorProvider.RECENT_TOKENS.intValue(config);
    }

    /** Smoothing stages this quantizer runs. */
    int stages() {
        return stages;
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        Args.notNull(shape, "shape");
        Args.notNull(role, "role");
        return TokenMajorProvider.budget(config.quant(), stages, config.kmeans().clusters(), recent, shape, role);
    }

    /**
     * With warm starts enabled ({@link WarmStart}) and a non-empty hint, stage {@code s} starts
     * from the hint's stage {@code s} (stages beyond the hint start cold); otherwise exactly the
     * cold path. With empty-cluster restarts the probe pass counts as one of the config's
     * {@code maxIters} iterations (and is added to each hinted stage's iteration count).
     */
    @Override
    protected QuantizedKv encode(KvShape shape, SliceBatch wholeBatch, KvRole role, float[] input,
                                 List<ClusterStage> warmStart) {
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim();
        int Sq = TokenMajorProvider.quantizedTokens(S, recent);
        short[] tail = new short[0];
        if (Sq < S) {
            // the newest tokens stay BF16; only the older ones are smoothed and quantized
            tail = new short[n * (S - Sq) * D];
            float[] older = new float[n * Sq * D];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < (S - Sq) * D; j++) {
                    tail[i * (S - Sq) * D + j] = Bf16.fromFloat(input[(i * S + Sq) * D + j]);
                }
                System.arraycopy(input, i * S * D, older, i * Sq * D, Sq * D);
            }
            if (Sq == 0) {
                return new QuantizedKv(shape, role, config.method(), Orientation.TOKEN_MAJOR, 0, null, List.of(), tail,
                        info());
            }
            input = older;
        }
        final float[] work = input;
        final SliceBatch batch = Sq == S ? wholeBatch : new SliceBatch(n, Sq, D, wholeBatch.firstSlice());
        if (clip) {
            PercentileClip.clipBlocks(work, shape.headDim(), config.quant().blockSize(), RtnClipQuantizerProvider.CLIP_PERCENTILE.realValue(config));
        }
        boolean useHint = warm.enabled() && stages > 0 && !warmStart.isEmpty();
        ResidualCode code;
        if (!useHint) {
            code = context.residual().encode(context, batch, work, stages, config.kmeans(), config.quant(), null);
        } else {
            int K = config.kmeans().clusters();
            int hinted = Math.min(stages, warmStart.size());
            for (int s = 0; s < hinted; s++) {
                WarmStart.check(Args.notNull(warmStart.get(s), "warmStart[" + s + "]"), s, batch, K);
            }
            long seed = config.kmeans().seed();
            // The restart probe is one assignment pass: take it out of the budget, so maxIters
            // bounds the whole work of a stage as it does cold.
            KMeansConfig km = config.kmeans();
            if (warm.reseedEmpty() && km.maxIters() > 1) {
                km = km.withMaxIters(km.maxIters() - 1);
            }
            code = context.residual().encode(context, batch, work, stages, km, config.quant(),
                    (s, stageInput) -> s < hinted
                            ? warm.initialCentroids(warmStart.get(s), s, batch, stageInput, seed, context.backend()) : null);
            if (warm.reseedEmpty()) {
                code = countProbe(code, hinted);
            }
        }
        Map<String, String> info = info();
        if (useHint) {
            info.put(WarmStart.PARAM, "true");
            info.put(WarmStart.RESEED_EMPTY_PARAM, Boolean.toString(warm.reseedEmpty()));
        }
        return new QuantizedKv(shape, role, config.method(), Orientation.TOKEN_MAJOR, Sq, code.blocks(),
                code.stages(), tail, info);
    }

    /** The restart's assignment pass is real k-means work: count it in the first {@code hinted} stages. */
    private static ResidualCode countProbe(ResidualCode code, int hinted) {
        List<ClusterStage> out = new java.util.ArrayList<>(code.stages());
        for (int s = 0; s < hinted; s++) {
            ClusterStage st = out.get(s);
            int[] it = st.iterations().clone();
            for (int i = 0; i < it.length; i++) {
                it[i]++;
            }
            out.set(s, new ClusterStage(st.slices(), st.tokens(), st.dim(), st.clusters(), st.centroids(), st.ids(), it));
        }
        return new ResidualCode(out, code.blocks());
    }

    private Map<String, String> info() {
        Map<String, String> m = baseInfo();
        m.put("stages", Integer.toString(stages));
        if (recent > 0) {
            m.put("recentTokens", Integer.toString(recent));
        }
        if (stages > 0) {
            m.put("clusters", Integer.toString(config.kmeans().clusters()));
            m.put("maxIters", Integer.toString(config.kmeans().maxIters()));
            m.put("tol", Double.toString(config.kmeans().tol()));
            m.put("seed", Long.toString(config.kmeans().seed()));
            m.put("init", config.kmeans().init().name());
        }
        if (clip) {
            m.put("clipPercentile", Double.toString(RtnClipQuantizerProvider.CLIP_PERCENTILE.realValue(config)));
        }
        return m;
    }
}
