package dev.qvg.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvStreamReader;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeMap;

/**
 * {@code qvg inspect --format json}: one JSON object per file, versioned
 * ({@value #SCHEMA_VERSION}), with snake_case keys and lowercase enum values (dtypes {@code bf16},
 * roles {@code k}/{@code v} as {@code eval --format json} writes them, orientations
 * {@code token_major}, scale precisions {@code fp8_e4m3}, inits {@code kmeans_plus_plus}), bit
 * budgets under the field names of {@code eval}'s JSON. Maps that hold the user's or a plug-in's
 * own strings ({@code metadata}, {@code info}, {@code params}) are copied as they are.
 *
 * <pre>
 * {"schema_version": 1, "command": "inspect", "file": ..., "bytes": ..., "format": "npy" | "safetensors" | "qvg_quantized_cache",
 *  npy:        "dtype", "shape", "values"
 *  safetensors: "tensors": [{"name", "dtype", "shape", "bytes"}], "metadata": {...}
 *  quantized:  "tensors" (as above), "format_version", "checksums_verified": true, "config": {...} or null,
 *              "entries": [{"name", "key", "shape", "role", "method", "orientation", "tokens", "quantized_tokens",
 *                           "tail_tokens", "blocks": {"bits", "block_size", "symmetric", "scale_precision"} or null,
 *                           "stages": [{"clusters", "id_bits", "kmeans_iterations": [...]}], "info": {...},
 *                           "bits_per_value", "compression_ratio", "bit_budget": {...}}],
 *              "total": {"bits_per_value", "compression_ratio", "bit_budget"}}
 * </pre>
 */
final class InspectJson {

    /** Changes whenever a field is renamed, removed or changes meaning (adding one does not). */
    static final int SCHEMA_VERSION = dev.qvg.models.plan.PlanReport.SCHEMA_VERSION;

    static final ObjectMapper JSON = new ObjectMapper();

    private InspectJson() {
    }

    private static ObjectNode head(Path file, long bytes, String format) {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema_version", SCHEMA_VERSION);
        o.put("command", "inspect");
        o.put("file", file.toString());
        o.put("bytes", bytes);
        o.put("format", format);
        return o;
    }

    static ObjectNode npy(Path file, long bytes, Npy.Header h) {
        ObjectNode o = head(file, bytes, "npy");
        o.put("dtype", lower(h.dtype().name()));
        shape(o.putArray("shape"), h.shape());
        o.put("values", h.numel());
        return o;
    }

    static ObjectNode safetensors(Path file, long bytes, SafeTensorsReader r) {
        ObjectNode o = head(file, bytes, "safetensors");
        tensors(o, r);
        ObjectNode meta = o.putObject("metadata");
        r.metadata().forEach(meta::put);
        return o;
    }

    private static void tensors(ObjectNode o, SafeTensorsReader r) {
        ArrayNode ts = o.putArray("tensors");
        for (String n : r.names()) {
            TensorInfo t = r.info(n);
            ObjectNode j = ts.addObject();
            j.put("name", n);
            j.put("dtype", lower(t.dtype().name()));
            shape(j.putArray("shape"), t.shape());
            j.put("bytes", t.byteLength());
        }
    }

    static ObjectNode quantized(Path file, long bytes, SafeTensorsReader r, QuantizedKvStreamReader c) throws IOException {
        ObjectNode o = head(file, bytes, "qvg_quantized_cache");
        tensors(o, r);
        o.put("format_version", Integer.parseInt(c.metadata().get("qvg.format_version")));
        o.put("checksums_verified", true);
        QuantizerConfig cfg = c.config();
        if (cfg == null) {
            o.putNull("config");
        } else {
            config(o.putObject("config"), cfg);
        }
        ArrayNode entries = o.putArray("entries");
        BitBudget total = null;
        for (String name : c.entries()) {
            QuantizedKvStreamReader.Entry q = c.entry(name);
            ObjectNode e = entries.addObject();
            e.put("name", name);
            e.put("key", q.key());
            KvShape s = q.shape();
            e.putArray("shape").add(s.batch()).add(s.heads()).add(s.tokens()).add(s.headDim());
            e.put("role", q.role() == KvRole.KEY ? "k" : "v");
            e.put("method", q.method());
            e.put("orientation", lower(q.orientation().name()));
            e.put("tokens", s.tokens());
            e.put("quantized_tokens", q.quantizedTokens());
            e.put("tail_tokens", s.tokens() - q.quantizedTokens());
            if (q.blocks() == null) {
                e.putNull("blocks");
            } else {
                ObjectNode b = e.putObject("blocks");
                b.put("bits", q.blocks().bits());
                b.put("block_size", q.blocks().blockSize());
                b.put("symmetric", q.blocks().symmetric());
                b.put("scale_precision", q.blocks().scalePrecision().cliName());
            }
            ArrayNode stages = e.putArray("stages");
            for (int i = 0; i < q.clusters().size(); i++) {
                ObjectNode st = stages.addObject();
                int k = q.clusters().get(i);
                st.put("clusters", k);
                st.put("id_bits", k <= 256 ? 8 : 16);
                ArrayNode it = st.putArray("kmeans_iterations");
                for (int n : c.iterations(name, i)) {
                    it.add(n);
                }
            }
            ObjectNode info = e.putObject("info");
            new TreeMap<>(q.info()).forEach(info::put);
            budget(e, q.budget());
            total = total == null ? q.budget() : total.plus(q.budget());
        }
        budget(o.putObject("total"), total);
        return o;
    }

    /** The fields a config is made of, by the names of the file's {@code qvg.config.*} metadata. */
    private static void config(ObjectNode o, QuantizerConfig c) {
        o.put("label", c.label());
        o.put("method", c.method());
        o.put("backend", c.backend());
        o.put("clusterer", c.clusterer());
        o.put("smoother", c.smoother());
        o.put("residual", c.residual());
        o.put("stages", c.stages());
        o.put("bits", c.quant().bits());
        o.put("block_size", c.quant().blockSize());
        o.put("symmetric", c.quant().symmetric());
        o.put("scale_precision", c.quant().scalePrecision().cliName());
        o.put("clusters", c.kmeans().clusters());
        o.put("max_iters", c.kmeans().maxIters());
        o.put("tol", c.kmeans().tol());
        o.put("seed", c.kmeans().seed());
        o.put("init", c.kmeans().init().cliName());
        ObjectNode params = o.putObject("params");
        new TreeMap<>(c.params()).forEach(params::put);
    }

    private static void budget(ObjectNode o, BitBudget b) {
        dev.qvg.cli.eval.ResultJson.putBudget(o, b);
    }

    private static void shape(ArrayNode a, long[] shape) {
        for (long d : shape) {
            a.add(d);
        }
    }

    private static String lower(String enumName) {
        return enumName.toLowerCase(Locale.ROOT);
    }

    /** One line: the object, compact (as eval's JSON lines), for jq and scripts. */
    static String text(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }
}
