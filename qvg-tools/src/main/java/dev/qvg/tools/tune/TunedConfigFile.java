package dev.qvg.tools.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.QuantizerConfigFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tuner's output as a JSON config file, one {@link QuantizerConfig} per tensor name:
 * <pre>{@code
 * { "format": "qvg-quantizer-config/1",
 *   "tensors": {
 *   "schema_version": 1,
 *     "k": { "config": { "method": "prq", "backend": "cpu", ..., "scale_precision": "bf16", "init": "random", "params": {} },
 *            "measured": { "bits_per_value": 3.31, "rel_l2": 0.098, "snr_db": 20.1, "target": "...", "met": true } },
 *     "v": { ... } } }
 * }</pre>
 * Config fields are {@link QuantizerConfigFields}'s, the same as the quantized-cache file's
 * metadata ({@code bits}, {@code block_size}, {@code scale_precision}, {@code max_iters}, ...); {@code measured} is informative and ignored
 * when reading. A streaming cache takes a tensor's config through
 * {@code SpanQuantizer.reseeding(TunedConfigFile.read(path).get("k"))}. Every field is required on
 * reading and a missing or mistyped one is named; numbers round-trip exactly.
 */
public final class TunedConfigFile {

    public static final String FORMAT = "qvg-quantizer-config/1";
    /** qvg's one JSON schema (snake_case keys, lowercase enum values as the command line takes them). */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TunedConfigFile() {
    }

    /** Writes the chosen configuration of each result, keyed by its tensor name. */
    public static void write(Path path, Iterable<TuneResult> results) throws IOException {
        Args.notNull(path, "path");
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("schema_version", SCHEMA_VERSION);
        ObjectNode tensors = root.putObject("tensors");
        for (TuneResult r : results) {
            ObjectNode t = tensors.putObject(r.tensor());
            t.set("config", toJson(r.chosen()));
            ObjectNode m = t.putObject("measured");
            m.put("bits_per_value", r.bitsPerValue());
            m.put("rel_l2", r.measured().relL2());
            m.put("snr_db", r.measured().snrDb());
            m.put("target", r.target().toString());
            m.put("met", r.met());
        }
        Files.writeString(path, JSON.writeValueAsString(root) + "\n");
    }

    /** Writes plain configurations keyed by tensor name (no measurements). */
    public static void writeConfigs(Path path, Map<String, QuantizerConfig> configs) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("schema_version", SCHEMA_VERSION);
        ObjectNode tensors = root.putObject("tensors");
        configs.forEach((name, c) -> tensors.putObject(name).set("config", toJson(c)));
        Files.writeString(path, JSON.writeValueAsString(root) + "\n");
    }

    /** The configurations in the file, by tensor name, in file order. */
    public static Map<String, QuantizerConfig> read(Path path) throws IOException {
        Args.notNull(path, "path");
        JsonNode root;
        try {
            root = JSON.readTree(path.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(path + ": not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new IllegalArgumentException(path + ": not a qvg config file (\"format\" must be \"" + FORMAT + "\")");
        }
        JsonNode tensors = root.get("tensors");
        if (tensors == null || !tensors.isObject()) {
            throw new IllegalArgumentException(path + ": \"tensors\" must be an object of tensor name to config");
        }
        Map<String, QuantizerConfig> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), fromJson(e.getValue().get("config"), path + ": tensors." + e.getKey() + ".config"));
        }
        return out;
    }

    static ObjectNode toJson(QuantizerConfig c) {
        ObjectNode n = JSON.createObjectNode();
        QuantizerConfigFields.write(c, new QuantizerConfigFields.Sink() {
            @Override
            public void text(String key, String value) {
                // enum values as the command line spells them (bf16, fp8, random, kmeans++); reading takes both
                n.put(key, switch (key) {
                    case "scale_precision" -> c.quant().scalePrecision().cliName();
                    case "init" -> c.kmeans().init().cliName();
                    default -> value;
                });
            }

            @Override
            public void integer(String key, int value) {
                n.put(key, value);
            }

            @Override
            public void longValue(String key, long value) {
                n.put(key, value);
            }

            @Override
            public void real(String key, double value) {
                n.put(key, value);
            }

            @Override
            public void bool(String key, boolean value) {
                n.put(key, value);
            }

            @Override
            public void params(String key, Map<String, String> value) {
                ObjectNode p = n.putObject(key);
                value.forEach(p::put);
            }
        });
        return n;
    }

    static QuantizerConfig fromJson(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + ": missing or not an object");
        }
        return QuantizerConfigFields.read(new Fields(n, where));
    }

    /** Required, typed fields of one config object, naming the field on any problem. */
    private record Fields(JsonNode n, String where) implements QuantizerConfigFields.Source {

        @Override
        public String describe(String key) {
            return where + "." + key;
        }

        JsonNode get(String key) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                throw new IllegalArgumentException(describe(key) + ": missing");
            }
            return v;
        }

        @Override
        public String text(String key) {
            JsonNode v = get(key);
            if (!v.isTextual()) {
                throw new IllegalArgumentException(describe(key) + ": must be a string, got " + v);
            }
            return v.asText();
        }

        @Override
        public int integer(String key) {
            JsonNode v = get(key);
            if (!v.isInt()) {
                throw new IllegalArgumentException(describe(key) + ": must be an integer, got " + v);
            }
            return v.asInt();
        }

        @Override
        public long longValue(String key) {
            JsonNode v = get(key);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new IllegalArgumentException(describe(key) + ": must be an integer, got " + v);
            }
            return v.asLong();
        }

        @Override
        public double real(String key) {
            JsonNode v = get(key);
            if (!v.isNumber()) {
                throw new IllegalArgumentException(describe(key) + ": must be a number, got " + v);
            }
            return v.asDouble();
        }

        @Override
        public boolean bool(String key) {
            JsonNode v = get(key);
            if (!v.isBoolean()) {
                throw new IllegalArgumentException(describe(key) + ": must be true or false, got " + v);
            }
            return v.asBoolean();
        }

        /** Optional here (absent means none), as files written before the field was required read. */
        @Override
        public Map<String, String> params(String key) {
            Map<String, String> params = new TreeMap<>();
            JsonNode p = n.get(key);
            if (p == null) {
                return params;
            }
            if (!p.isObject()) {
                throw new IllegalArgumentException(describe(key) + ": must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException(describe(key) + "." + e.getKey() + ": must be a string");
                }
                params.put(e.getKey(), e.getValue().asText());
            }
            return params;
        }
    }
}
