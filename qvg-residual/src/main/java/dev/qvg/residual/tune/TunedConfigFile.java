package dev.qvg.residual.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
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
 *     "k": { "config": { "method": "prq", "backend": "cpu", ..., "params": {} },
 *            "measured": { "bits_per_value": 3.31, "rel_l2": 0.098, "snr_db": 20.1, "target": "...", "met": true } },
 *     "v": { ... } } }
 * }</pre>
 * Config field names are those of the safetensors metadata ({@code bits}, {@code block_size},
 * {@code scale_precision}, {@code max_iters}, ...); {@code measured} is informative and ignored
 * when reading. A streaming cache takes a tensor's config through
 * {@code SpanQuantizer.reseeding(TunedConfigFile.read(path).get("k"))}. Every field is required on
 * reading and a missing or mistyped one is named; numbers round-trip exactly.
 */
public final class TunedConfigFile {

    public static final String FORMAT = "qvg-quantizer-config/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TunedConfigFile() {
    }

    /** Writes the chosen configuration of each result, keyed by its tensor name. */
    public static void write(Path path, Iterable<TuneResult> results) throws IOException {
        Args.notNull(path, "path");
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
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
        n.put("method", c.method());
        n.put("backend", c.backend());
        n.put("clusterer", c.clusterer());
        n.put("smoother", c.smoother());
        n.put("residual", c.residual());
        n.put("bits", c.quant().bits());
        n.put("block_size", c.quant().blockSize());
        n.put("symmetric", c.quant().symmetric());
        n.put("scale_precision", c.quant().scalePrecision().name());
        n.put("clusters", c.kmeans().clusters());
        n.put("max_iters", c.kmeans().maxIters());
        n.put("tol", c.kmeans().tol());
        n.put("seed", c.kmeans().seed());
        n.put("init", c.kmeans().init().name());
        n.put("stages", c.stages());
        n.put("clip_percentile", c.clipPercentile());
        n.put("kivi_group_size", c.kiviGroupSize());
        n.put("kivi_residual_tokens", c.kiviResidualTokens());
        ObjectNode p = n.putObject("params");
        new TreeMap<>(c.params()).forEach(p::put);
        return n;
    }

    static QuantizerConfig fromJson(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + ": missing or not an object");
        }
        Fields f = new Fields(n, where);
        BlockQuantConfig quant = new BlockQuantConfig(f.integer("bits"), f.integer("block_size"), f.bool("symmetric"),
                f.enumeration("scale_precision", ScalePrecision.class));
        KMeansConfig kmeans = new KMeansConfig(f.integer("clusters"), f.integer("max_iters"), f.real("tol"),
                f.longValue("seed"), f.enumeration("init", KMeansInit.class));
        Map<String, String> params = new TreeMap<>();
        JsonNode p = n.get("params");
        if (p != null) {
            if (!p.isObject()) {
                throw new IllegalArgumentException(where + ".params: must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException(where + ".params." + e.getKey() + ": must be a string");
                }
                params.put(e.getKey(), e.getValue().asText());
            }
        }
        return new QuantizerConfig(f.text("method"), f.text("backend"), f.text("clusterer"), f.text("smoother"),
                f.text("residual"), quant, kmeans, f.integer("stages"), f.real("clip_percentile"),
                f.integer("kivi_group_size"), f.integer("kivi_residual_tokens"), params);
    }

    /** Required, typed fields of one config object, naming the field on any problem. */
    private record Fields(JsonNode n, String where) {

        JsonNode get(String key) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                throw new IllegalArgumentException(where + "." + key + ": missing");
            }
            return v;
        }

        String text(String key) {
            JsonNode v = get(key);
            if (!v.isTextual()) {
                throw new IllegalArgumentException(where + "." + key + ": must be a string, got " + v);
            }
            return v.asText();
        }

        int integer(String key) {
            JsonNode v = get(key);
            if (!v.isInt()) {
                throw new IllegalArgumentException(where + "." + key + ": must be an integer, got " + v);
            }
            return v.asInt();
        }

        long longValue(String key) {
            JsonNode v = get(key);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new IllegalArgumentException(where + "." + key + ": must be an integer, got " + v);
            }
            return v.asLong();
        }

        double real(String key) {
            JsonNode v = get(key);
            if (!v.isNumber()) {
                throw new IllegalArgumentException(where + "." + key + ": must be a number, got " + v);
            }
            return v.asDouble();
        }

        <E extends Enum<E>> E enumeration(String key, Class<E> type) {
            String v = text(key);
            try {
                return Enum.valueOf(type, v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "." + key + ": unknown value '" + v + "', expected one of "
                        + java.util.Arrays.toString(type.getEnumConstants()));
            }
        }

        boolean bool(String key) {
            JsonNode v = get(key);
            if (!v.isBoolean()) {
                throw new IllegalArgumentException(where + "." + key + ": must be true or false, got " + v);
            }
            return v.asBoolean();
        }
    }
}
