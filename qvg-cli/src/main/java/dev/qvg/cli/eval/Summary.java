package dev.qvg.cli.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The takeaway under the table: per tensor and bit width, how much smaller the mean squared error
 * of every other configuration is than the baseline's at the same code bits. The baseline is the
 * first method evaluated (in the default comparison, the method that declares the first place:
 * plain RTN); the paper's headline for SAS over RTN is about 6.9x for keys and 2.6x for values on
 * real models.
 */
public final class Summary {

    private Summary() {
    }

    public static List<String> lines(List<EvalResult> results) {
        Map<String, EvalResult> baselines = new LinkedHashMap<>();
        String baseline = results.isEmpty() ? null : results.get(0).config().method();
        for (EvalResult r : results) {
            if (r.config().method().equals(baseline)) {
                baselines.putIfAbsent(key(r), r);
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, EvalResult> e : baselines.entrySet()) {
            EvalResult base = e.getValue();
            StringBuilder sb = new StringBuilder();
            for (EvalResult r : results) {
                if (!key(r).equals(e.getKey()) || r == base || r.config().method().equals(baseline)) {
                    continue;
                }
                double ratio = base.metrics().mse() / r.metrics().mse();
                sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1fx", r.methodLabel(),
                        ratio));
            }
            if (sb.length() > 0) {
                out.add(String.format(Locale.ROOT, "%s int%d: MSE of %s / MSE of: %s", base.tensor(),
                        base.config().quant().bits(), base.methodLabel(), sb));
            }
        }
        return out;
    }

    private static String key(EvalResult r) {
        return r.tensor() + "\u0000" + r.config().quant().bits();
    }
}
