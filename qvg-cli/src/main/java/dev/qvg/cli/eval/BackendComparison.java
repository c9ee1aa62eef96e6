package dev.qvg.cli.eval;

import dev.qvg.api.metrics.ErrorMetrics;
import java.util.Objects;

/**
 * The same configuration run on a second backend: its own error against the original, and how
 * far its reconstruction is from the first backend's.
 *
 * @param backend    the second backend's name
 * @param metrics    the second backend's reconstruction against the original tensor
 * @param difference the second backend's reconstruction against the first backend's
 * @param identical  whether the two reconstructions are equal bit for bit
 * @param seconds    quantize + dequantize time on the second backend
 */
public record BackendComparison(String backend, ErrorMetrics metrics, ErrorMetrics difference, boolean identical,
                                double seconds) {
    public BackendComparison {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(difference, "difference");
    }
}
