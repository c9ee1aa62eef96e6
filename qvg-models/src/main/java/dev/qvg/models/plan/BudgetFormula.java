package dev.qvg.models.plan;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.Objects;

/**
 * The exact storage of one quantized K or V tensor, from its shape and the method's config
 * alone (spec section 8), counted component by component as
 * {@link dev.qvg.api.quant.QuantizedKv#budget()} counts a real result: packed code bytes (each
 * row padded to a byte), one scale (and zero point) per block, one id per token and stage,
 * {@code clusters x D} BF16 centroids per slice and stage, 16 bits per value left in BF16.
 *
 * <p>Methods: {@code rtn} and {@code rtn-clip} (no stage), {@code sas} (one stage), {@code prq}
 * ({@code config.stages()} stages), {@code kivi} (keys per channel in groups of
 * {@code kiviGroupSize} tokens, only whole groups, values per token in groups of
 * {@code kiviGroupSize} along D, asymmetric, the newest {@code kiviResidualTokens} tokens BF16).
 * For any other method the planner needs that method's own {@code Quantizer.budget}; see
 * {@link BudgetSource}.
 *
 * <p>With q code bits, s scale bits, block b, n stages, K clusters, D head dim and S tokens:
 * {@code q + s/b (+ s/b zero) + n * idBits / D + n * K * 16 / S} bits per value.
 */
public final class BudgetFormula implements BudgetSource {

    private final QuantizerConfig config;

    public BudgetFormula(QuantizerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        stagesOf(config); // fails early on an unknown method
    }

    /** Whether the formula knows {@code method}. */
    public static boolean supports(String method) {
        return switch (method) {
            case "rtn", "rtn-clip", "sas", "prq", "kivi" -> true;
            default -> false;
        };
    }

    private static int stagesOf(QuantizerConfig c) {
        return switch (c.method()) {
            case "rtn", "rtn-clip", "kivi" -> 0;
            case "sas" -> 1;
            case "prq" -> c.stages();
            default -> throw new IllegalArgumentException("method: the budget formula knows rtn, rtn-clip, sas, prq and"
                    + " kivi, not '" + c.method() + "'; plan with that method's Quantizer.budget instead");
        };
    }

    @Override
    public QuantizerConfig config() {
        return config;
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(role, "role");
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim();
        if (config.method().equals("kivi")) {
            return kivi(shape, role);
        }
        int stages = stagesOf(config);
        return BitBudget.predict(shape, config.quant(), n * S, D, stages, config.kmeans().clusters(), S);
    }

    private BitBudget kivi(KvShape shape, KvRole role) {
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim();
        int G = config.kiviGroupSize();
        BlockQuantConfig q = config.quant().withSymmetric(false).withBlockSize(G);
        int older = Math.max(0, S - config.kiviResidualTokens());
        int Sq = role == KvRole.KEY ? older / G * G : older;
        if (role == KvRole.VALUE && D % G != 0) {
            throw new IllegalArgumentException("kiviGroupSize: head dim " + D + " is not a multiple of group size " + G
                    + " (values are grouped per token along D)");
        }
        if (Sq == 0) {
            return BitBudget.predict(shape, q, 0, 0, 0, 1, 0);
        }
        return role == KvRole.KEY ? BitBudget.predict(shape, q, n * D, Sq, 0, 1, Sq) : BitBudget.predict(shape, q, n * Sq, D, 0, 1, Sq);
    }
}
