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

    /**
     * Keys counted by {@code keys}, values by {@code values} (separate settings per role); its
     * config is the keys'.
     */
    static BudgetSource byRole(BudgetSource keys, BudgetSource values) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
        return new BudgetSource() {
            @Override
            public QuantizerConfig config() {
                return keys.config();
            }

            @Override
            public BitBudget budget(KvShape shape, KvRole role) {
                return (role == KvRole.KEY ? keys : values).budget(shape, role);
            }
        };
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
