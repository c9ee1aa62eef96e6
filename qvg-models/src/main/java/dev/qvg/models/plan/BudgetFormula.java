package dev.qvg.models.plan;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.Objects;

/**
 * The exact storage of one quantized K or V tensor from its shape and the config alone (spec
 * section 8), as the method's own provider counts it ({@link QuantizerProvider#budget}): no
 * backend, no data. Every built-in method and any plug-in that publishes its formula can be
 * planned; for one that does not, plan with its quantizer ({@link BudgetSource#of(dev.qvg.api.spi.Quantizer)}).
 *
 * <p>For the token-major methods with q code bits, s scale bits, block b, n stages, K clusters,
 * D head dim and S tokens: {@code q + s/b (+ s/b zero) + n * idBits / D + n * K * 16 / S} bits per value.
 */
public final class BudgetFormula implements BudgetSource {

    private final QuantizerConfig config;
    private final QuantizerProvider method;

    /** @throws IllegalArgumentException when the method is not on the class path */
    public BudgetFormula(QuantizerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.method = Methods.of(config);
    }

    /** Whether {@code method} is on the class path and publishes its budget formula. */
    public static boolean supports(QuantizerConfig config) {
        if (!dev.qvg.api.registry.Qvg.quantizers().contains(config.method())) {
            return false;
        }
        try {
            return Methods.of(config).budget(config, PROBE, KvRole.KEY).isPresent();
        } catch (IllegalArgumentException e) {
            return true; // the formula ran and refused the probe's shape: the model's own shape decides
        }
    }

    /** A shape to ask a method whether it has a formula at all. */
    private static final KvShape PROBE = new KvShape(1, 1, 64, 64);

    @Override
    public QuantizerConfig config() {
        return config;
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(role, "role");
        return method.budget(config, shape, role).orElseThrow(() -> new IllegalArgumentException("method '"
                + config.method() + "' publishes no budget formula (QuantizerProvider.budget); plan with its quantizer"));
    }
}
