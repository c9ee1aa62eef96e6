package dev.qvg.cli.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Series of a plot that are the same: two methods (or a method and a configuration of another,
 * such as a one-stage method and a multi-stage method run with one stage) that gave the same
 * storage and the same error at every bit width on a tensor are the same algorithm there; they
 * are drawn once, as one series named after both, so neither hides under the other.
 */
final class SameSeries {

    private SameSeries() {
    }

    /**
     * For each (tensor, label) key ({@code tensor + '\0' + label}) the legend label it is drawn
     * under ({@code "a = b"} for merged series), or no entry when it is drawn as part of an
     * earlier series.
     */
    static Map<String, String> merged(List<EvalResult> results) {
        Map<String, List<EvalResult>> series = new LinkedHashMap<>();
        for (EvalResult r : results) {
            series.computeIfAbsent(r.tensor() + "\u0000" + r.methodLabel(), k -> new ArrayList<>()).add(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(series.keySet());
        java.util.Set<String> absorbed = new java.util.HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            String a = keys.get(i);
            if (absorbed.contains(a)) {
                continue;
            }
            String label = series.get(a).get(0).methodLabel();
            for (int j = i + 1; j < keys.size(); j++) {
                String b = keys.get(j);
                if (!absorbed.contains(b) && same(series.get(a), series.get(b))) {
                    absorbed.add(b);
                    label += " = " + series.get(b).get(0).methodLabel();
                }
            }
            out.put(a, label);
        }
        return out;
    }

    private static boolean same(List<EvalResult> a, List<EvalResult> b) {
        if (a.size() != b.size() || !a.get(0).tensor().equals(b.get(0).tensor())) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            EvalResult x = a.get(i), y = b.get(i);
            if (!x.config().quant().equals(y.config().quant()) || x.metrics().mse() != y.metrics().mse()
                    || !x.budget().equals(y.budget())) {
                return false;
            }
        }
        return true;
    }
}
