package dev.qvg.bench.report;

import java.util.Locale;

/** Number formatting for the report: fixed locale, units chosen for readability. */
final class Fmt {

    private Fmt() {
    }

    static String time(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "n/a";
        }
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        if (seconds >= 60) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        if (seconds >= 1) {
            return String.format(Locale.ROOT, "%.2f s", seconds);
        }
        if (seconds >= 1e-3) {
            return String.format(Locale.ROOT, "%.3g ms", seconds * 1e3);
        }
        return String.format(Locale.ROOT, "%.3g us", seconds * 1e6);
    }

    /** Bytes/s as GB/s or FLOP/s as GFLOP/s (decimal giga). */
    static String rate(double rate, boolean bytes) {
        if (!Double.isFinite(rate)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f %s", rate / 1e9, bytes ? "GB/s" : "GFLOP/s");
    }

    static String percent(double fraction) {
        if (!Double.isFinite(fraction)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    static String num(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Bytes in B, KiB, MiB or GiB. */
    static String bytes(double b) {
        if (!Double.isFinite(b)) {
            return "n/a";
        }
        if (b >= 1024.0 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
        }
        if (b >= 1024.0 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        }
        if (b >= 1024.0) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.0f B", b);
    }

    /** A count with a k/M suffix (tokens per second). */
    static String count(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
