package dev.qvg.cli.util;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * qvg's one JSON convention for documents built from maps whose keys follow Java names:
 * {@code meanPsnrDb} becomes {@code mean_psnr_db}, in nested maps and lists too; values are kept.
 */
public final class SnakeCaseKeys {

    private SnakeCaseKeys() {
    }

    /** A copy of {@code value} with every map key in snake_case. */
    public static Object of(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(key(String.valueOf(k)), of(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(of(v)));
            return out;
        }
        return value;
    }

    /** {@code meanPsnrDb} to {@code mean_psnr_db}; spaces become underscores. */
    public static String key(String k) {
        return k.replaceAll("(?<=[a-z0-9])([A-Z])", "_$1").replace(' ', '_').toLowerCase(Locale.ROOT);
    }
}
