package dev.qvg.cli.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The takeaway under the table: per tensor and bit width, how much smaller the mean squared error
 * of SAS (and of the best PRQ) is than plain RTN's at the same code bits; the paper's headline
 * for SAS is about 6.9x for keys and 2.6x for values on real models.
 */
public final class Summary {

    private Summary() {
    }

    public static List<String> lines(List<EvalResult> results) {
        Map<String, EvalResult> rtn = new LinkedHashMap<>();
        for (EvalResult r : results) {
            if (r.config().method().equals("rtn")) {
                rtn.put(key(r), r);
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, EvalResult> e : rtn.entrySet()) {
            EvalResult base = e.getValue();
            StringBuilder sb = new StringBuilder();
            for (EvalResult r : results) {
                if (!key(r).equals(e.getKey()) || r == base || r.config().method().equals("rtn")) {
                    continue;
                }
                double ratio = base.metrics().mse() / r.metrics().mse();
                sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1fx", r.methodLabel(),
                        ratio));
            }
            if (sb.length() > 0) {
                out.add(String.format(Locale.ROOT, "%s int%d: MSE of rtn / MSE of: %s", base.tensor(),
                        base.config().quant().bits(), sb));
            }
        }
        return out;
    }

    private static String key(EvalResult r) {
        return r.tensor() + "\u0000" + r.config().quant().bits();
    }
}
