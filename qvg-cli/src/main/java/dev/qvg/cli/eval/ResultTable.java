package dev.qvg.cli.eval;

import java.util.List;
import java.util.Locale;

/** The human-readable table of {@code qvg eval}: one block per tensor, one row per configuration. */
public final class ResultTable {

    private ResultTable() {
    }

    public static String format(List<EvalResult> results) {
        StringBuilder sb = new StringBuilder();
        String current = null;
        boolean compare = results.stream().anyMatch(r -> r.comparison() != null);
        boolean attention = results.stream().anyMatch(EvalResult::hasAttention);
        // as wide as the longest label (a plug-in's name may be long), at least the 9 of the built-ins
        int w = Math.max(9, results.stream().mapToInt(r -> r.methodLabel().length()).max().orElse(0));
        String label = "  %-" + w + "s";
        for (EvalResult r : results) {
            String key = r.tensor() + " " + r.role() + " " + r.shape();
            if (!key.equals(current)) {
                if (current != null) {
                    sb.append('\n');
                }
                current = key;
                sb.append(String.format(Locale.ROOT, "%s (%s, %s, %d values)%n", r.tensor(),
                        r.role() == dev.qvg.api.tensor.KvRole.KEY ? "keys" : "values", r.shape(), r.shape().numel()));
                sb.append(String.format(Locale.ROOT, label + " %4s %10s %7s %8s %7s %7s %8s", "method", "bits",
                        "bits/value", "ratio", "rel L2", "SNR dB", "cosine", "seconds"));
                if (attention) {
                    sb.append(String.format(Locale.ROOT, " %8s", "attn L2"));
                }
                if (compare) {
                    sb.append(String.format(Locale.ROOT, "  %-14s %10s %10s", "vs backend", "rel diff", "max diff"));
                }
                sb.append('\n');
            }
            sb.append(String.format(Locale.ROOT, label + " %4d %10.4f %6.2fx %8.4f %7.2f %7.4f %8.3f", r.methodLabel(),
                    r.config().quant().bits(), r.budget().bitsPerValue(), r.budget().compressionRatio(),
                    r.metrics().relL2(), r.metrics().snrDb(), r.metrics().cosineMean(), r.seconds()));
            if (attention) {
                sb.append(r.hasAttention() ? String.format(Locale.ROOT, " %8.4f", r.attentionRelL2())
                        : String.format(Locale.ROOT, " %8s", "-"));
            }
            BackendComparison c = r.comparison();
            if (c != null) {
                sb.append(String.format(Locale.ROOT, "  %-14s %10.3g %10.3g", c.backend()
                        + (c.identical() ? " (same)" : ""), c.difference().relL2(), c.difference().maxAbs()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
