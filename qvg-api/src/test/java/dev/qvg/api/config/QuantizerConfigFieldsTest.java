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
        QuantizerConfig c = ConfigTest.named().stages(3).bits(4).blockSize(32).symmetric(false)
                .scalePrecision(ScalePrecision.FP8_E4M3).kmeans(new KMeansConfig(17, 9, 1.0 / 3, -5L, KMeansInit.KMEANS_PLUS_PLUS))
                .params(Map.of("b", "2", "a", "1", "clip_percentile", "97.5", "kivi_group_size", "16",
                        "kivi_residual_tokens", "8")).build();
        Map<String, Object> fields = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        QuantizerConfigFields.write(c, new MapSink(fields, keys));
        assertEquals(ORDER, keys);
        assertEquals(List.of("a", "b"), new ArrayList<>(((Map<?, ?>) fields.get("params")).keySet()),
                "params sorted, the version-1 knobs in their own fields");
        assertEquals(97.5, fields.get("clip_percentile"));
        assertEquals(16, fields.get("kivi_group_size"));
        assertEquals(c, QuantizerConfigFields.read(new MapSource(fields)));
    }

    @Test
    void aConfigWithoutTheVersion1KnobsWritesTheirVersion1DefaultsAndReadsBackEqual() {
        QuantizerConfig c = ConfigTest.named().build();
        Map<String, Object> fields = new LinkedHashMap<>();
        QuantizerConfigFields.write(c, new MapSink(fields, new ArrayList<>()));
        assertEquals(99.0, fields.get("clip_percentile"));
        assertEquals(32, fields.get("kivi_group_size"));
        assertEquals(128, fields.get("kivi_residual_tokens"));
        assertEquals(Map.of(), fields.get("params"));
        assertEquals(c, QuantizerConfigFields.read(new MapSource(fields)));
        fields.put("params", Map.of("kivi_group_size", "8"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerConfigFields.read(new MapSource(fields)));
        assertTrue(e.getMessage().contains("holds 'kivi_group_size', which the format stores as its own field"),
                e.getMessage());
    }

    @Test
    void unknownEnumNamesAreNamedWithTheChoices() {
        Map<String, Object> fields = new LinkedHashMap<>();
        QuantizerConfigFields.write(ConfigTest.named().build(), new MapSink(fields, new ArrayList<>()));
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
