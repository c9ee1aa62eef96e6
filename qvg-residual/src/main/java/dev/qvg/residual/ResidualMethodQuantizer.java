package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
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
    }

    /** Smoothing stages this quantizer runs. */
    int stages() {
        return stages;
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        Args.notNull(shape, "shape");
        Args.notNull(role, "role");
        BlockQuantConfig q = config.quant();
        q.requireDivides(shape.headDim());
        return Budgets.predict(shape, q, shape.slices() * shape.tokens(), shape.headDim(), stages,
                config.kmeans().clusters(), shape.tokens());
    }

    @Override
    protected QuantizedKv encode(KvShape shape, KvRole role, float[] work) {
        if (clip) {
            PercentileClip.clipBlocks(work, shape.headDim(), config.quant().blockSize(), config.clipPercentile());
        }
        ResidualCode code = context.residual().encode(context, shape.sliceBatch(), work, stages, config.kmeans(),
                config.quant(), null);
        return new QuantizedKv(shape, role, config.method(), Orientation.TOKEN_MAJOR, shape.tokens(), code.blocks(),
                code.stages(), new short[0], info());
    }

    private Map<String, String> info() {
        Map<String, String> m = baseInfo();
        m.put("stages", Integer.toString(stages));
        if (stages > 0) {
            m.put("clusters", Integer.toString(config.kmeans().clusters()));
            m.put("maxIters", Integer.toString(config.kmeans().maxIters()));
            m.put("tol", Double.toString(config.kmeans().tol()));
            m.put("seed", Long.toString(config.kmeans().seed()));
            m.put("init", config.kmeans().init().name());
        }
        if (clip) {
            m.put("clipPercentile", Double.toString(config.clipPercentile()));
        }
        return m;
    }
}
