package dev.qvg.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantizerConfigFieldsTest {

    private static final List<String> ORDER = List.of("method", "backend", "clusterer", "smoother", "residual",
            "bits", "block_size", "symmetric", "scale_precision", "clusters", "max_iters", "tol", "seed", "init",
            "stages", "clip_percentile", "kivi_group_size", "kivi_residual_tokens", "params");

    @Test
    void everyFieldIsWrittenOnceInTheDocumentedOrderAndReadsBackEqual() {
        QuantizerConfig c = QuantizerConfig.builder().method("prq").stages(3).bits(4).blockSize(32).symmetric(false)
                .scalePrecision(ScalePrecision.FP8_E4M3).kmeans(new KMeansConfig(17, 9, 1.0 / 3, -5L, KMeansInit.KMEANS_PLUS_PLUS))
                .clipPercentile(97.5).kiviGroupSize(16).kiviResidualTokens(8)
                .params(Map.of("b", "2", "a", "1")).build();
        Map<String, Object> fields = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        QuantizerConfigFields.write(c, new MapSink(fields, keys));
        assertEquals(ORDER, keys);
        assertEquals(List.of("a", "b"), new ArrayList<>(((Map<?, ?>) fields.get("params")).keySet()), "params sorted");
        assertEquals(c, QuantizerConfigFields.read(new MapSource(fields)));
    }

    @Test
    void unknownEnumNamesAreNamedWithTheChoices() {
        Map<String, Object> fields = new LinkedHashMap<>();
        QuantizerConfigFields.write(QuantizerConfig.builder().build(), new MapSink(fields, new ArrayList<>()));
        fields.put("scale_precision", "FP4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerConfigFields.read(new MapSource(fields)));
        assertTrue(e.getMessage().startsWith("field scale_precision: unknown value 'FP4', expected one of [BF16, FP8_E4M3]"),
                e.getMessage());
    }

    private record MapSink(Map<String, Object> fields, List<String> keys) implements QuantizerConfigFields.Sink {
        private void put(String key, Object value) {
            keys.add(key);
            fields.put(key, value);
        }

        @Override
        public void text(String key, String value) {
            put(key, value);
        }

        @Override
        public void integer(String key, int value) {
            put(key, value);
        }

        @Override
        public void longValue(String key, long value) {
            put(key, value);
        }

        @Override
        public void real(String key, double value) {
            put(key, value);
        }

        @Override
        public void bool(String key, boolean value) {
            put(key, value);
        }

        @Override
        public void params(String key, Map<String, String> value) {
            put(key, value);
        }
    }

    private record MapSource(Map<String, Object> fields) implements QuantizerConfigFields.Source {
        private Object get(String key) {
            Object v = fields.get(key);
            if (v == null) {
                throw new IllegalArgumentException(describe(key) + ": missing");
            }
            return v;
        }

        @Override
        public String text(String key) {
            return (String) get(key);
        }

        @Override
        public int integer(String key) {
            return (Integer) get(key);
        }

        @Override
        public long longValue(String key) {
            return (Long) get(key);
        }

        @Override
        public double real(String key) {
            return (Double) get(key);
        }

        @Override
        public boolean bool(String key) {
            return (Boolean) get(key);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map<String, String> params(String key) {
            return (Map<String, String>) get(key);
        }

        @Override
        public String describe(String key) {
            return "field " + key;
        }
    }
}
