package dev.qvg.models.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.config.ModelConfig;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The answer of {@link MemoryPlanner}: sizes per layer and in total, the component breakdown,
 * and (when a GPU size was given) the longest video that fits beside the weights.
 *
 * @param requestedFrames    the latent frames asked for, or -1 for the model's published cache
 * @param tokens             tokens per layer (per K or V tensor)
 * @param completeChunks     complete chunks in the cache
 * @param quantizedSpans     spans quantized under the policy
 * @param quantizedTokens    tokens inside quantized spans
 * @param bf16Tokens         tokens kept BF16 (sink, recent, not-yet-full span, chunk in progress)
 * @param bf16BytesPerLayer  K plus V of one layer, all BF16
 * @param perLayer           exact storage of K plus V of one layer under the policy
 * @param total              {@code perLayer} times the layer count
 * @param gpuMemoryGiB       the GPU size asked about, 0 when not asked
 * @param maxFramesBf16      latent frames that fit with a BF16 cache (-1: not asked or weights do not fit)
 * @param maxFramesQuantized latent frames that fit with the quantized cache (same convention)
 */
public record PlanReport(ModelConfig model, QuantizerConfig quantizer, CachePolicy policy, long requestedFrames,
                         long tokens, long completeChunks, int quantizedSpans, long quantizedTokens, long bf16Tokens,
                         long bf16BytesPerLayer, BitBudget perLayer, BitBudget total, double gpuMemoryGiB,
                         long maxFramesBf16, long maxFramesQuantized) {

    private static final double MIB = 1024.0 * 1024;

    public long bf16BytesTotal() {
        return bf16BytesPerLayer * model.layers();
    }

    /** Bytes of one layer's K plus V under the policy (bit-exact total, rounded up to bytes). */
    public long quantizedBytesPerLayer() {
        return perLayer.totalBytes();
    }

    public long quantizedBytesTotal() {
        return total.totalBytes();
    }

    /** BF16 size over the planned size. */
    public double compressionRatio() {
        return total.compressionRatio();
    }

    public double latentFrames() {
        return (double) tokens / model.tokensPerLatentFrame();
    }

    /** An aligned text table for a terminal. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "model      %s (%d layers, %d kv heads x %d, %d tokens/latent frame at %s)%n",
                model.displayName(), model.layers(), model.kvHeads(), model.headDim(), model.tokensPerLatentFrame(),
                model.resolution()));
        sb.append(String.format(Locale.ROOT, "length     %.2f latent frames, %d tokens per layer, %d complete chunks of %d"
                + " frame(s)%s%n", latentFrames(), tokens, completeChunks, model.framesPerChunk(),
                requestedFrames < 0 ? " (published cache)" : ""));
        sb.append(String.format(Locale.ROOT, "method     %s; policy %s%n", quantizer.label(), policy.label()));
        sb.append(String.format(Locale.ROOT, "layout     %d quantized spans (%d tokens), %d tokens BF16%n", quantizedSpans,
                quantizedTokens, bf16Tokens));
        sb.append(String.format(Locale.ROOT, "%-10s %14s %14s %10s%n", "", "per layer MiB", "total MiB", "ratio"));
        sb.append(String.format(Locale.ROOT, "%-10s %14.2f %14.2f %9.2fx%n", "BF16", bf16BytesPerLayer / MIB,
                bf16BytesTotal() / MIB, 1.0));
        sb.append(String.format(Locale.ROOT, "%-10s %14.2f %14.2f %9.2fx%n", "quantized", quantizedBytesPerLayer() / MIB,
                quantizedBytesTotal() / MIB, compressionRatio()));
        sb.append(String.format(Locale.ROOT, "breakdown  (bits per value, all layers: %.4f)%n", total.bitsPerValue()));
        for (Map.Entry<String, Long> e : components(total).entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %-16s %12.2f MiB %8.4f bits/value%n", e.getKey(),
                    e.getValue() / 8.0 / MIB, (double) e.getValue() / total.values()));
        }
        if (gpuMemoryGiB > 0) {
            sb.append(String.format(Locale.ROOT, "GPU        %.1f GiB, weights %.2f GiB%n", gpuMemoryGiB,
                    model.weightBytes() / MIB / 1024));
            sb.append(fits("BF16", maxFramesBf16));
            sb.append(fits("quantized", maxFramesQuantized));
        }
        return sb.toString();
    }

    private String fits(String what, long frames) {
        if (frames < 0) {
            return String.format(Locale.ROOT, "  %-9s the weights alone exceed the GPU memory%n", what);
        }
        return String.format(Locale.ROOT, "  %-9s fits %d latent frames = %d video frames = %.1f s%n", what, frames,
                model.videoFrames(frames), model.seconds(frames));
    }

    private static Map<String, Long> components(BitBudget b) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("codes", b.codeBits());
        m.put("scales", b.scaleBits());
        m.put("zero points", b.zeroBits());
        m.put("cluster ids", b.idBits());
        m.put("centroids", b.centroidBits());
        m.put("bf16 values", b.fullPrecisionBits());
        return m;
    }

    /** The report as a JSON-ready tree (sizes in bytes; components in bits). */
    /**
     * The JSON document's version (one schema across qvg's commands: snake_case keys, lowercase
     * enum values, eval's bit_budget names); raised when a field changes meaning or goes away.
     */
    public static final int SCHEMA_VERSION = 1;

    public Map<String, Object> toMap() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema_version", SCHEMA_VERSION);
        Map<String, Object> mo = new LinkedHashMap<>();
        mo.put("name", model.name());
        mo.put("display_name", model.displayName());
        mo.put("layers", model.layers());
        mo.put("heads", model.heads());
        mo.put("kv_heads", model.kvHeads());
        mo.put("head_dim", model.headDim());
        mo.put("tokens_per_latent_frame", model.tokensPerLatentFrame());
        mo.put("frames_per_chunk", model.framesPerChunk());
        mo.put("resolution", model.resolution());
        mo.put("weight_bytes", model.weightBytes());
        root.put("model", mo);
        root.put("label", quantizer.label());
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("method", quantizer.method());
        q.put("bits", quantizer.quant().bits());
        q.put("block_size", quantizer.quant().blockSize());
        q.put("symmetric", quantizer.quant().symmetric());
        q.put("scale_precision", quantizer.quant().scalePrecision().name().toLowerCase(java.util.Locale.ROOT));
        q.put("clusters", quantizer.kmeans().clusters());
        q.put("stages", quantizer.stages());
        root.put("quantizer", q);
        Map<String, Object> po = new LinkedHashMap<>();
        po.put("quant_factor", policy.quantFactor());
        po.put("keep_recent_chunks", policy.keepRecentChunks());
        po.put("sink_chunks", policy.sinkChunks());
        root.put("policy", po);
        root.put("published_cache", requestedFrames < 0);
        root.put("latent_frames", latentFrames());
        root.put("tokens_per_layer", tokens);
        root.put("complete_chunks", completeChunks);
        root.put("quantized_spans", quantizedSpans);
        root.put("quantized_tokens", quantizedTokens);
        root.put("bf16_tokens", bf16Tokens);
        root.put("bf16_bytes_per_layer", bf16BytesPerLayer);
        root.put("bf16_bytes_total", bf16BytesTotal());
        root.put("quantized_bytes_per_layer", quantizedBytesPerLayer());
        root.put("quantized_bytes_total", quantizedBytesTotal());
        root.put("compression_ratio", compressionRatio());
        root.put("bits_per_value", total.bitsPerValue());
        Map<String, Object> comp = new LinkedHashMap<>();
        comp.put("values", total.values());
        comp.put("code_bits", total.codeBits());
        comp.put("scale_bits", total.scaleBits());
        comp.put("zero_bits", total.zeroBits());
        comp.put("id_bits", total.idBits());
        comp.put("centroid_bits", total.centroidBits());
        comp.put("full_precision_bits", total.fullPrecisionBits());
        comp.put("total_bytes", total.totalBytes());
        root.put("bit_budget", comp); // the names of eval's and inspect's bit_budget
        if (gpuMemoryGiB > 0) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("gpu_memory_gib", gpuMemoryGiB);
            g.put("max_latent_frames_bf16", maxFramesBf16);
            g.put("max_latent_frames_quantized", maxFramesQuantized);
            g.put("max_seconds_bf16", maxFramesBf16 < 0 ? 0 : model.seconds(maxFramesBf16));
            g.put("max_seconds_quantized", maxFramesQuantized < 0 ? 0 : model.seconds(maxFramesQuantized));
            root.put("fit", g);
        }
        return root;
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
