package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The providers of the token-major methods ({@link ResidualMethodQuantizer}): a number of
 * smoothing stages, then blocks along the head dim per token; every token quantized.
 */
abstract class TokenMajorProvider extends MethodProvider {

    /** Smoothing stages this method runs with {@code config}. */
    abstract int stages(QuantizerConfig config);

    /** Whether blocks are clipped to a percentile first. */
    boolean clips() {
        return false;
    }

    @Override
    public Set<CoreSetting> settings() {
        return EnumSet.of(CoreSetting.BITS, CoreSetting.BLOCK_SIZE, CoreSetting.SYMMETRIC, CoreSetting.SCALE_PRECISION);
    }

    @Override
    public QuantizerConfig canonical(QuantizerConfig config) {
        int s = stages(config);
        return s == config.stages() ? config : config.toBuilder().stages(s).build();
    }

    @Override
    public Optional<BitBudget> budget(QuantizerConfig config, KvShape shape, KvRole role) {
        return Optional.of(budget(config.quant(), stages(config), config.kmeans().clusters(), shape, role));
    }

    /** The exact storage: every token's blocks, {@code stages} id sets and centroid tables per slice. */
    static BitBudget budget(BlockQuantConfig q, int stages, int clusters, KvShape shape, KvRole role) {
        Args.notNull(shape, "shape");
        Args.notNull(role, "role");
        q.requireDivides(shape.headDim());
        return BitBudget.predict(shape, q, (long) shape.slices() * shape.tokens(), shape.headDim(), stages, clusters,
                shape.tokens());
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new ResidualMethodQuantizer(name(), config, context, stages(config), clips());
    }
}
