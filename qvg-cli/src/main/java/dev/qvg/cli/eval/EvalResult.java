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
 * @param label           what tables and plots call this row: {@link MethodLabels#of} of the
 *                        config unless the row belongs to a named column such as {@code tuned}
 */
public record EvalResult(String tensor, KvRole role, KvShape shape, QuantizerConfig config, ErrorMetrics metrics,
                         BitBudget budget, int[] kmeansIters, double quantizeSeconds, double dequantizeSeconds,
                         BackendComparison comparison, double attentionRelL2, String label) {

    /** A result labelled by its method ({@link MethodLabels#of}). */
    public EvalResult(String tensor, KvRole role, KvShape shape, QuantizerConfig config, ErrorMetrics metrics,
                      BitBudget budget, int[] kmeansIters, double quantizeSeconds, double dequantizeSeconds,
                      BackendComparison comparison, double attentionRelL2) {
        this(tensor, role, shape, config, metrics, budget, kmeansIters, quantizeSeconds, dequantizeSeconds, comparison,
                attentionRelL2, MethodLabels.of(config));
    }

    public EvalResult {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(label, "label");
        kmeansIters = kmeansIters.clone();
    }

    /** This result with the attention-level error of its K/V pair. */
    public EvalResult withAttention(double relL2) {
        return new EvalResult(tensor, role, shape, config, metrics, budget, kmeansIters, quantizeSeconds,
                dequantizeSeconds, comparison, relL2, label);
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

    /** Label for tables and plots: the method's ({@code prq(2)}, {@code kivi}) or a column's own ({@code tuned}). */
    public String methodLabel() {
        return label;
    }
}
