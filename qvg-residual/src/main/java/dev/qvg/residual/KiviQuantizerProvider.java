package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Registers the {@code kivi} method: KIVI: keys per channel, values per token, asymmetric, the
 * newest tokens in bf16. Its group size is its own knob, so the shared block size and symmetry
 * are not settings of it: its canonical config has block = group and asymmetric blocks, which is
 * what is stored and labelled.
 */
public final class KiviQuantizerProvider extends MethodProvider {

    public static final String NAME = "kivi";

    /** Tokens per key group and values per value group (the format's version-1 field of the same name). */
    public static final Knob GROUP_SIZE = Knob.integer("kivi_group_size", "--kivi-group", 32, 1, 1 << 20,
            "group size: tokens per key group, values per value group (default: 32)");
    /** Newest tokens kept in bf16 (KIVI's residual_length; the format's version-1 field). */
    public static final Knob RESIDUAL_TOKENS = Knob.integer("kivi_residual_tokens", TokenMajorProvider.RECENT_TOKENS.flag(),
            128, 0, Integer.MAX_VALUE, "newest tokens kept in BF16, KIVI's residual_length and HF's (default: 0; kivi: 128)")
            .withAliases("--kivi-residual");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "KIVI: keys per channel, values per token, asymmetric, recent tokens in bf16";
    }

    @Override
    public List<Knob> knobs() {
        return List.of(GROUP_SIZE, RESIDUAL_TOKENS);
    }

    @Override
    public Set<CoreSetting> settings() {
        return EnumSet.of(CoreSetting.BITS, CoreSetting.SCALE_PRECISION);
    }

    @Override
    public QuantizerConfig canonical(QuantizerConfig config) {
        BlockQuantConfig q = config.quant().withSymmetric(false).withBlockSize(GROUP_SIZE.intValue(config));
        return q.equals(config.quant()) && config.stages() == 0 ? config
                : config.toBuilder().quant(q).stages(0).build();
    }

    /** {@code kivi int2 asym g32 bf16 recent=128}. */
    @Override
    public String label(QuantizerConfig config) {
        QuantizerConfig c = canonical(config);
        return String.format(Locale.ROOT, "%s int%d asym g%d %s recent=%d", NAME, c.quant().bits(),
                c.quant().blockSize(), c.quant().scalePrecision().name().toLowerCase(Locale.ROOT),
                RESIDUAL_TOKENS.intValue(c));
    }

    @Override
    public Optional<BitBudget> budget(QuantizerConfig config, KvShape shape, KvRole role) {
        QuantizerConfig c = canonical(config);
        return Optional.of(budget(c.quant(), RESIDUAL_TOKENS.intValue(c), shape, role));
    }

    /** KIVI's exact storage with group {@code q.blockSize()} and {@code residual} newest tokens in bf16. */
    static BitBudget budget(BlockQuantConfig q, int residual, KvShape shape, KvRole role) {
        Args.notNull(shape, "shape");
        Args.notNull(role, "role");
        int n = shape.slices(), D = shape.headDim();
        int Sq = quantizedTokens(shape.tokens(), role, q.blockSize(), residual);
        if (role == KvRole.VALUE && D % q.blockSize() != 0) {
            throw new IllegalArgumentException("kivi_group_size: head dim " + D + " is not a multiple of group size "
                    + q.blockSize() + " (values are grouped per token along D)");
        }
        if (Sq == 0) {
            return BitBudget.predict(shape, q, 0, 0, 0, 1, 0);
        }
        return role == KvRole.KEY
                ? BitBudget.predict(shape, q, (long) n * D, Sq, 0, 1, Sq)
                : BitBudget.predict(shape, q, (long) n * Sq, D, 0, 1, Sq);
    }

    /** Tokens per slice KIVI quantizes: keys only whole groups of the older tokens, values all older tokens. */
    static int quantizedTokens(int tokens, KvRole role, int group, int residual) {
        int older = Math.max(0, tokens - residual);
        return role == KvRole.KEY ? older / group * group : older;
    }

    @Override
    public OptionalInt defaultEvalPosition() {
        return OptionalInt.of(10);
    }

    @Override
    protected Quantizer build(QuantizerConfig config, QuantizerContext context) {
        return new KiviQuantizer(config, context);
    }
}
