package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.Objects;

/**
 * One evaluated (tensor, configuration) pair.
 *
 * @param kmeansIters     k-means iterations, slice-major: for each (batch, head) slice its stages
 *                        in order (the order of {@code chelsea-expected.jsonl}); empty without k-means
 * @param quantizeSeconds wall time of {@code Quantizer.quantize}
 * @param dequantizeSeconds wall time of {@code Quantizer.dequantize}
 * @param comparison      the same run on a second backend, or {@code null}
 * @param attentionRelL2  relative L2 error of attention outputs when this tensor and its K/V
 *                        partner are both quantized with this configuration (spec section 10),
 *                        or NaN when not measured
 */
public record EvalResult(String tensor, KvRole role, KvShape shape, QuantizerConfig config, ErrorMetrics metrics,
                         BitBudget budget, int[] kmeansIters, double quantizeSeconds, double dequantizeSeconds,
                         BackendComparison comparison, double attentionRelL2) {

    public EvalResult {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(budget, "budget");
        kmeansIters = kmeansIters.clone();
    }

    /** This result with the attention-level error of its K/V pair. */
    public EvalResult withAttention(double relL2) {
        return new EvalResult(tensor, role, shape, config, metrics, budget, kmeansIters, quantizeSeconds,
                dequantizeSeconds, comparison, relL2);
    }

    public boolean hasAttention() {
        return !Double.isNaN(attentionRelL2);
    }

    @Override
    public int[] kmeansIters() {
        return kmeansIters.clone();
    }

    /** Quantize plus dequantize wall time. */
    public double seconds() {
        return quantizeSeconds + dequantizeSeconds;
    }

    /** Short method label for tables and plots, e.g. {@code prq(2)} or {@code kivi}. */
    public String methodLabel() {
        return MethodLabels.of(config);
    }
}
