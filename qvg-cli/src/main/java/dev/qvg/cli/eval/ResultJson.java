package dev.qvg.cli.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.BitBudget;
import java.util.List;
import java.util.Locale;

/**
 * The JSON form of results: one object per evaluated (tensor, configuration), one per line (JSON
 * Lines, as {@code chelsea-expected.jsonl}), with the field names of issue 5 plus a few more.
 * Infinite SNR (a lossless run) is written as the string {@code "Infinity"}, since JSON has no
 * infinity.
 */
public final class ResultJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ResultJson() {
    }

    public static String lines(List<EvalResult> results) {
        StringBuilder sb = new StringBuilder();
        for (EvalResult r : results) {
            sb.append(toJson(r)).append('\n');
        }
        return sb.toString();
    }

    public static String toJson(EvalResult r) {
        try {
            return MAPPER.writeValueAsString(node(r));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("serialising a result: " + e.getMessage(), e);
        }
    }

    /** The rows' version: qvg's one JSON schema (as plan's, rollout's and inspect's documents). */
    public static final int SCHEMA_VERSION = dev.qvg.models.plan.PlanReport.SCHEMA_VERSION;

    /**
     * {@code bits_per_value}, {@code compression_ratio} and the {@code bit_budget} object, by the
     * names every qvg JSON document uses for storage (eval, inspect, the sweep).
     */
    public static void putBudget(ObjectNode o, BitBudget b) {
        o.put("bits_per_value", b.bitsPerValue());
        o.put("compression_ratio", b.compressionRatio());
        ObjectNode bb = o.putObject("bit_budget");
        bb.put("values", b.values());
        bb.put("code_bits", b.codeBits());
        bb.put("scale_bits", b.scaleBits());
        bb.put("zero_bits", b.zeroBits());
        bb.put("id_bits", b.idBits());
        bb.put("centroid_bits", b.centroidBits());
        bb.put("full_precision_bits", b.fullPrecisionBits());
        bb.put("total_bits", b.totalBits());
        bb.put("total_bytes", b.totalBytes());
    }

    public static ObjectNode node(EvalResult r) {
        QuantizerConfig c = r.config();
        ObjectNode o = MAPPER.createObjectNode();
        o.put("schema_version", SCHEMA_VERSION);
        o.put("tensor", r.tensor());
        o.put("role", r.role() == dev.qvg.api.tensor.KvRole.KEY ? "k" : "v");
        ArrayNode shape = o.putArray("shape");
        shape.add(r.shape().batch()).add(r.shape().heads()).add(r.shape().tokens()).add(r.shape().headDim());
        o.put("method", c.method());
        o.put("label", r.methodLabel());
        o.put("bits", c.quant().bits());
        o.put("block", c.quant().blockSize());
        o.put("asymmetric", !c.quant().symmetric());
        o.put("scale", c.quant().scalePrecision().name().toLowerCase(Locale.ROOT));
        o.put("clusters", c.kmeans().clusters());
        o.put("stages", c.stages());
        o.put("iters", c.kmeans().maxIters());
        o.put("tol", c.kmeans().tol());
        o.put("seed", c.kmeans().seed());
        o.put("backend", c.backend());
        if (!c.params().isEmpty()) {
            // the method's own knobs (QuantizerProvider.knobs), when any is set
            com.fasterxml.jackson.databind.node.ObjectNode params = o.putObject("params");
            new java.util.TreeMap<>(c.params()).forEach(params::put);
        }
        putMetrics(o, "", r.metrics());
        putBudget(o, r.budget());
        ArrayNode it = o.putArray("kmeans_iters");
        for (int i : r.kmeansIters()) {
            it.add(i);
        }
        o.put("seconds", r.seconds());
        o.put("quantize_seconds", r.quantizeSeconds());
        o.put("dequantize_seconds", r.dequantizeSeconds());
        if (r.hasAttention()) {
            putDouble(o, "attention_rel_l2", r.attentionRelL2());
        }
        BackendComparison cmp = r.comparison();
        if (cmp != null) {
            ObjectNode co = o.putObject("compare");
            co.put("backend", cmp.backend());
            putMetrics(co, "", cmp.metrics());
            co.put("identical", cmp.identical());
            co.put("diff_rel_l2", cmp.difference().relL2());
            co.put("diff_max_abs", cmp.difference().maxAbs());
            co.put("seconds", cmp.seconds());
        }
        return o;
    }

    private static void putMetrics(ObjectNode o, String prefix, ErrorMetrics m) {
        putDouble(o, prefix + "rel_l2", m.relL2());
        putDouble(o, prefix + "mse", m.mse());
        putDouble(o, prefix + "snr_db", m.snrDb());
        putDouble(o, prefix + "cosine_mean", m.cosineMean());
        putDouble(o, prefix + "cosine_min", m.cosineMin());
        putDouble(o, prefix + "max_abs_err", m.maxAbs());
    }

    private static void putDouble(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.put(name, Double.toString(v));
        }
    }
}
