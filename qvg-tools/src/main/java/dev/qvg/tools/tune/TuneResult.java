package dev.qvg.tools.tune;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import java.util.List;
import java.util.Locale;

/**
 * What the tuner found for one tensor: the chosen configuration with its measured error and
 * exact bits per value, whether it meets the target (when no candidate does, the chosen one is
 * the most accurate candidate), and every trial in the order run.
 */
public record TuneResult(String tensor, TuneTarget target, QuantizerConfig chosen, ErrorMetrics measured,
                         double bitsPerValue, boolean met, List<Trial> trials) {

    /** One candidate that was run. */
    public record Trial(QuantizerConfig config, double bitsPerValue, ErrorMetrics metrics, boolean met) {
    }

    public TuneResult {
        trials = List.copyOf(trials);
    }

    public String summary() {
        return String.format(Locale.ROOT, "%s: %s -> %s, %.4f bits/value (%.2fx), relL2 %.5f, SNR %.2f dB%s (%d trials)",
                tensor, target, chosen.label(), bitsPerValue, 16 / bitsPerValue, measured.relL2(), measured.snrDb(),
                met ? "" : " [TARGET NOT MET: most accurate candidate]", trials.size());
    }
}
