package dev.qvg.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link QuantizerConfig} as flat string metadata under the prefix {@code qvg.config.}, and
 * back. Numbers use Java's shortest round-tripping text, so a config read back is equal to the
 * one written.
 */
final class QuantizerConfigMetadata {

    static final String PREFIX = "qvg.config.";

    private QuantizerConfigMetadata() {
    }

    static Map<String, String> toMetadata(QuantizerConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "method", c.method());
        m.put(PREFIX + "backend", c.backend());
        m.put(PREFIX + "clusterer", c.clusterer());
        m.put(PREFIX + "smoother", c.smoother());
        m.put(PREFIX + "residual", c.residual());
        m.put(PREFIX + "bits", Integer.toString(c.quant().bits()));
        m.put(PREFIX + "block_size", Integer.toString(c.quant().blockSize()));
        m.put(PREFIX + "symmetric", Boolean.toString(c.quant().symmetric()));
        m.put(PREFIX + "scale_precision", c.quant().scalePrecision().name());
        m.put(PREFIX + "clusters", Integer.toString(c.kmeans().clusters()));
        m.put(PREFIX + "max_iters", Integer.toString(c.kmeans().maxIters()));
        m.put(PREFIX + "tol", Double.toString(c.kmeans().tol()));
        m.put(PREFIX + "seed", Long.toString(c.kmeans().seed()));
        m.put(PREFIX + "init", c.kmeans().init().name());
        m.put(PREFIX + "stages", Integer.toString(c.stages()));
        m.put(PREFIX + "clip_percentile", Double.toString(c.clipPercentile()));
        m.put(PREFIX + "kivi_group_size", Integer.toString(c.kiviGroupSize()));
        m.put(PREFIX + "kivi_residual_tokens", Integer.toString(c.kiviResidualTokens()));
        try {
            m.put(PREFIX + "params", SafeTensorsHeader.JSON.writeValueAsString(new TreeMap<>(c.params())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
        return m;
    }

    /** The config stored in {@code metadata}, or null when the file holds none. */
    static QuantizerConfig fromMetadata(Map<String, String> metadata) {
        if (!metadata.containsKey(PREFIX + "method")) {
            return null;
        }
        Fields f = new Fields(metadata);
        BlockQuantConfig quant = new BlockQuantConfig(f.integer("bits"), f.integer("block_size"),
                f.bool("symmetric"), ScalePrecision.valueOf(f.text("scale_precision")));
        KMeansConfig kmeans = new KMeansConfig(f.integer("clusters"), f.integer("max_iters"), f.real("tol"),
                Long.parseLong(f.text("seed")), KMeansInit.valueOf(f.text("init")));
        Map<String, String> params;
        try {
            params = SafeTensorsHeader.JSON.readValue(f.text("params"), new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(PREFIX + "params is not a JSON object of strings: " + e.getOriginalMessage());
        }
        if (params != null && params.containsValue(null)) {
            // A JSON null value would reach QuantizerConfig's Map.copyOf as an NPE.
            throw new IllegalArgumentException(PREFIX + "params holds a null value; it must be a JSON object of strings");
        }
        return new QuantizerConfig(f.text("method"), f.text("backend"), f.text("clusterer"), f.text("smoother"),
                f.text("residual"), quant, kmeans, f.integer("stages"), f.real("clip_percentile"),
                f.integer("kivi_group_size"), f.integer("kivi_residual_tokens"), params);
    }

    /** Typed access to required string fields, naming the key on any problem. */
    record Fields(Map<String, String> metadata, String prefix) {

        Fields(Map<String, String> metadata) {
            this(metadata, PREFIX);
        }

        String text(String key) {
            String v = metadata.get(prefix + key);
            if (v == null) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' missing");
            }
            return v;
        }

        int integer(String key) {
            try {
                return Integer.parseInt(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' is not an integer: '" + text(key) + "'");
            }
        }

        long longValue(String key) {
            try {
                return Long.parseLong(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' is not an integer: '" + text(key) + "'");
            }
        }

        double real(String key) {
            try {
                return Double.parseDouble(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' is not a number: '" + text(key) + "'");
            }
        }

        boolean bool(String key) {
            String v = text(key);
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException("metadata key '" + prefix + key + "' must be true or false, got '" + v + "'");
            }
            return Boolean.parseBoolean(v);
        }
    }
}
