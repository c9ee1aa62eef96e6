package dev.qvg.example.method;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The light half of the {@code rtn-hadamard} method: QuaRot-style round-to-nearest after a
 * seeded randomized Hadamard rotation of the head dim. Cheap to construct (ServiceLoader builds
 * one just to list it); the quantizer is built only in {@link #create}. Registered in
 * {@code META-INF/services/dev.qvg.api.spi.QuantizerProvider}; nothing else refers to it.
 *
 * <p>What it declares, and the kit checks: one knob ({@link #ROTATION_SEED}); the shared settings
 * it reads (bits, block size, symmetry, scale precision: no k-means, no stages); its canonical
 * config (stages fixed at 0, the seed in canonical text); an exact budget, the same as plain
 * {@code rtn}'s since the rotation stores nothing; parts supported (the rotation is the same
 * for every slice); not in {@code qvg eval}'s default comparison (run it by naming it).
 */
public final class RtnHadamardProvider implements QuantizerProvider {

    public static final String NAME = "rtn-hadamard";

    /** The seed of the random signs; stored in the config's params and in every entry's info. */
    public static final Knob ROTATION_SEED = Knob.integer("rotation_seed", "--rotation-seed", 0, Integer.MIN_VALUE,
            Integer.MAX_VALUE, "seed of the random signs of the Hadamard rotation (default: 0)");

    @Override
    public String name() {
        return NAME;
    }

    /** Below every built-in method, so it is never the default method by accident. */
    @Override
    public int rank() {
        return -100;
    }

    @Override
    public String description() {
        return "round-to-nearest block quantization per token after a seeded randomized Hadamard rotation of the"
                + " head dim (QuaRot-style; head dim a power of two)";
    }

    @Override
    public Quantizer create(QuantizerConfig config, QuantizerContext context) {
        Args.notNull(config, "config");
        Args.notNull(context, "context");
        if (!config.method().equals(NAME)) {
            throw new IllegalArgumentException("method: the '" + NAME + "' provider was given a config for method '"
                    + config.method() + "'");
        }
        Methods.checkKnobs(this, config.params());
        return new RtnHadamardQuantizer(canonical(config), context);
    }

    @Override
    public List<Knob> knobs() {
        return List.of(ROTATION_SEED);
    }

    @Override
    public Set<CoreSetting> settings() {
        return EnumSet.of(CoreSetting.BITS, CoreSetting.BLOCK_SIZE, CoreSetting.SYMMETRIC, CoreSetting.SCALE_PRECISION);
    }

    /** No smoothing stages; the seed, when given, in canonical text ({@code " 007"} runs as {@code 7}). */
    @Override
    public QuantizerConfig canonical(QuantizerConfig config) {
        Args.notNull(config, "config");
        QuantizerConfig c = config.stages() == 0 ? config : config.toBuilder().stages(0).build();
        String seed = c.params().get(ROTATION_SEED.key());
        if (seed != null) {
            String canonical = ROTATION_SEED.canonical(seed);
            if (!canonical.equals(seed)) {
                c = c.withParam(ROTATION_SEED.key(), canonical);
            }
        }
        return c;
    }

    /** The same storage as plain rtn: every token's blocks along D, nothing else (the signs are a seed). */
    @Override
    public Optional<BitBudget> budget(QuantizerConfig config, KvShape shape, KvRole role) {
        Args.notNull(config, "config");
        return Optional.of(budgetOf(config, shape, role));
    }

    /** The exact storage; refuses a head dim that is not a power of two or not a whole number of blocks. */
    static BitBudget budgetOf(QuantizerConfig config, KvShape shape, KvRole role) {
        Args.notNull(shape, "shape");
        Args.notNull(role, "role");
        RandomizedHadamard.requirePowerOfTwo(shape.headDim());
        config.quant().requireDivides(shape.headDim());
        return BitBudget.predict(shape, config.quant(), (long) shape.slices() * shape.tokens(), shape.headDim(), 0, 1,
                shape.tokens());
    }

    /** The rotation is the same for every (batch, head) slice, so a part gives the whole's bits. */
    @Override
    public boolean supportsParts() {
        return true;
    }
}
