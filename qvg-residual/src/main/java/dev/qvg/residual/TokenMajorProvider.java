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
import dev.qvg.api.spi.Knob;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The providers of the token-major methods ({@link ResidualMethodQuantizer}): a number of
 * smoothing stages, then blocks along the head dim per token; every token quantized.
 */
abstract class TokenMajorProvider extends MethodProvider {

    /**
     * The newest tokens of each slice kept in BF16, as Hugging Face's quantized cache and KIVI keep
     * a full-precision window ({@code residual_length}): only the older tokens are smoothed and
     * quantized. The same option as KIVI's window.
     */
    static final Knob RECENT_TOKENS = Knob.integer("recent_tokens", "--recent-tokens", 0, 0, Integer.MAX_VALUE,
            "newest tokens kept in BF16, KIVI's residual_length and HF's (default: 0; kivi: 128)");

    /** This method's knobs besides the recent-token window. */
    List<Knob> ownKnobs() {
        return List.of();
    }

    @Override
    public final List<Knob> knobs() {
        List<Knob> l = new java.util.ArrayList<>(ownKnobs());
        l.add(RECENT_TOKENS);
        return List.copyOf(l);
    }

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
        return Optional.of(budget(config.quant(), stages(config), config.kmeans().clusters(),
                RECENT_TOKENS.intValue(config), shape, role));
    }

    /** Tokens per slice that are quantized: all but the newest {@code recent}. */
    static int quantizedTokens(int tokens, int recent) {
        return Math.max(0, tokens - recent);
    }

    /**
     * The exact storage: the quantized tokens' blocks, {@code stages} id sets and centroid tables
     * per slice, the {@code recent} newest tokens in BF16.
     */
    static BitBudget budget(BlockQuantConfig q, int stages, int clusters, int recent, KvShape shape, KvRole role) {
        Args.notNull(shape, "shape");
        Args.notNull(role, "role");
        q.requireDivides(shape.headDim());
        int Sq = quantizedTokens(shape.tokens(), recent);
        if (Sq == 0) {
            return BitBudget.predict(shape, q, 0, 0, 0, 1, 0);
        }
        return BitBudget.predict(shape, q, (long) shape.slices() * Sq, shape.headDim(), stages, clusters, Sq);
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new ResidualMethodQuantizer(name(), config, context, stages(config), clips());
    }
}
