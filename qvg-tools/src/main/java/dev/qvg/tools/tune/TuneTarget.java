package dev.qvg.tools.tune;

import dev.qvg.api.metrics.ErrorMetrics;
import java.util.Locale;

/**
 * The error a tuned configuration must reach on the data: an SNR of at least {@code value} dB,
 * or a relative L2 error of at most {@code value}.
 */
public record TuneTarget(Kind kind, double value) {

    public enum Kind { SNR_DB, REL_L2 }

    public TuneTarget {
        if (kind == null) {
            throw new IllegalArgumentException("target: kind must not be null");
        }
        if (kind == Kind.SNR_DB && !(Double.isFinite(value))) {
            throw new IllegalArgumentException("target: SNR must be a finite number of dB, got " + value);
        }
        if (kind == Kind.REL_L2 && !(value > 0 && value < 1)) {
            throw new IllegalArgumentException("target: relative L2 must be in (0, 1), got " + value);
        }
    }

    public static TuneTarget snrDb(double db) {
        return new TuneTarget(Kind.SNR_DB, db);
    }

    public static TuneTarget relL2(double rel) {
        return new TuneTarget(Kind.REL_L2, rel);
    }

    public boolean metBy(ErrorMetrics m) {
        return kind == Kind.SNR_DB ? m.snrDb() >= value : m.relL2() <= value;
    }

    @Override
    public String toString() {
        return kind == Kind.SNR_DB ? String.format(Locale.ROOT, "SNR >= %.2f dB", value)
                : String.format(Locale.ROOT, "relL2 <= %.5f", value);
    }
}
