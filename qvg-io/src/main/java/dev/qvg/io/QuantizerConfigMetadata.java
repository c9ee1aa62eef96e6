package dev.qvg.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.QuantizerConfigFields;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link QuantizerConfig} as flat string metadata under the prefix {@code qvg.config.}, and
 * back; the fields are {@link QuantizerConfigFields}'s, shared with the tuner's JSON. Numbers use
 * Java's shortest round-tripping text, so a config read back is equal to the one written.
 */
final class QuantizerConfigMetadata {

    static final String PREFIX = "qvg.config.";

    private QuantizerConfigMetadata() {
    }

    static Map<String, String> toMetadata(QuantizerConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        QuantizerConfigFields.write(c, new QuantizerConfigFields.Sink() {
            @Override
            public void text(String key, String value) {
                m.put(PREFIX + key, value);
            }

            @Override
            public void integer(String key, int value) {
                m.put(PREFIX + key, Integer.toString(value));
            }

            @Override
            public void longValue(String key, long value) {
                m.put(PREFIX + key, Long.toString(value));
            }

            @Override
            public void real(String key, double value) {
                m.put(PREFIX + key, Double.toString(value));
            }

            @Override
            public void bool(String key, boolean value) {
                m.put(PREFIX + key, Boolean.toString(value));
            }

            @Override
            public void params(String key, Map<String, String> value) {
                try {
                    m.put(PREFIX + key, SafeTensorsHeader.JSON.writeValueAsString(value));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("a map of strings always serializes", e);
                }
            }
        });
        return m;
    }

    /** The config stored in {@code metadata}, or null when the file holds none. */
    static QuantizerConfig fromMetadata(Map<String, String> metadata) {
        if (!metadata.containsKey(PREFIX + "method")) {
            return null;
        }
        return QuantizerConfigFields.read(new Fields(metadata));
    }

    /** Typed access to required string fields, naming the key on any problem. */
    record Fields(Map<String, String> metadata, String prefix) implements QuantizerConfigFields.Source {

        Fields(Map<String, String> metadata) {
            this(metadata, PREFIX);
        }

        @Override
        public String describe(String key) {
            return "metadata key '" + prefix + key + "'";
        }

        @Override
        public Map<String, String> params(String key) {
            Map<String, String> params;
            try {
                params = SafeTensorsHeader.JSON.readValue(text(key), new TypeReference<Map<String, String>>() { });
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(prefix + key + " is not a JSON object of strings: " + e.getOriginalMessage());
            }
            if (params == null) {
                return Map.of(); // JSON null: no parameters, as QuantizerConfig reads a null map
            }
            if (params.containsValue(null)) {
                // A JSON null value would reach QuantizerConfig's Map.copyOf as an NPE.
                throw new IllegalArgumentException(prefix + key + " holds a null value; it must be a JSON object of strings");
            }
            return params;
        }

        @Override
        public String text(String key) {
            String v = metadata.get(prefix + key);
            if (v == null) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' missing");
            }
            return v;
        }

        @Override
        public int integer(String key) {
            try {
                return Integer.parseInt(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' is not an integer: '" + text(key) + "'");
            }
        }

        @Override
        public long longValue(String key) {
            try {
                return Long.parseLong(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' is not an integer: '" + text(key) + "'");
            }
        }

        @Override
        public double real(String key) {
            try {
                return Double.parseDouble(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' is not a number: '" + text(key) + "'");
            }
        }

        @Override
        public boolean bool(String key) {
            String v = text(key);
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' must be true or false, got '" + v + "'");
            }
            return Boolean.parseBoolean(v);
        }
    }
}
