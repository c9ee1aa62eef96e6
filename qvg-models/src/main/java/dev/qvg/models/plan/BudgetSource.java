package dev.qvg.models.plan;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.Objects;

/**
 * Where the planner gets the exact storage of one quantized span: {@link BudgetFormula} for the
 * built-in methods (no provider needed), or any {@link Quantizer}'s own {@code budget}.
 */
public interface BudgetSource {

    QuantizerConfig config();

    BitBudget budget(KvShape shape, KvRole role);

    /** The formula when it knows the method, else fails naming the method. */
    static BudgetSource of(QuantizerConfig config) {
        return new BudgetFormula(config);
    }

    /** A quantizer's own accounting (for third-party methods). */
    static BudgetSource of(Quantizer quantizer) {
        Objects.requireNonNull(quantizer, "quantizer");
        return new BudgetSource() {
            @Override
            public QuantizerConfig config() {
                return quantizer.config();
            }

            @Override
            public BitBudget budget(KvShape shape, KvRole role) {
                return quantizer.budget(shape, role);
            }
        };
    }
}
