package dev.qvg.models.plan;

import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.config.ModelConfig;
import java.util.Objects;

/**
 * KV-cache memory of a model at a given length, BF16 against quantized, exactly (spec section 8),
 * with the same chunk/span rule as {@link dev.qvg.models.cache.StreamingKvCache}: the cache of
 * {@code T} tokens holds {@code T / chunkTokens} complete chunks and one chunk in progress; the
 * policy's due spans are quantized, everything else (sink, recent, a span not yet full, the chunk
 * in progress) is BF16. Every layer holds the same, for K and for V; batch 1.
 *
 * <p>Storage of a span is linear in the number of heads for every per-slice method, so it is
 * computed for one head and multiplied: a span longer than one array could hold still plans.
 */
public final class MemoryPlanner {

    /** Latent frames beyond which the "longest video" search stops (a 10-hour video at 16 fps). */
    static final long SEARCH_LIMIT_FRAMES = 150_000;

    private static final double GIB = 1024.0 * 1024 * 1024;

    private MemoryPlanner() {
    }

    /** Plans with the built-in {@link BudgetFormula} for the request's method. */
    public static PlanReport plan(PlanRequest request) {
        return plan(request, BudgetSource.of(request.quantizer()));
    }

    /** Plans with {@code source}'s accounting (a registered quantizer, say). */
    public static PlanReport plan(PlanRequest request, BudgetSource source) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(source, "source");
        ModelConfig m = request.model();
        CachePolicy p = request.policy();
        long tokens = request.tokens();
        Layout layout = Layout.of(m, p, tokens);
        BitBudget spanLayer = spanBudgetPerLayer(m, p, source);
        BitBudget perLayer = layerBudget(m, layout, spanLayer);
        long bf16PerLayer = tokens * m.bf16BytesPerTokenPerLayer();

        long maxBf16 = -1, maxQuant = -1;
        if (request.gpuMemoryGiB() > 0) {
            long free = (long) Math.floor(request.gpuMemoryGiB() * GIB) - m.weightBytes();
            maxBf16 = longestFitting(m, p, null, free);
            maxQuant = longestFitting(m, p, spanLayer, free);
        }
        return new PlanReport(m, source.config(), p, request.latentFrames() == 0 ? -1 : request.latentFrames(), tokens,
                layout.completeChunks, layout.spans, (long) layout.spans * p.quantFactor() * m.tokensPerChunk(),
                layout.bf16Tokens, bf16PerLayer, perLayer, perLayer.times(m.layers()), request.gpuMemoryGiB(),
                maxBf16, maxQuant);
    }

    /** Chunk bookkeeping of a cache of {@code tokens} tokens. */
    record Layout(long completeChunks, int spans, long bf16Tokens) {
        static Layout of(ModelConfig m, CachePolicy p, long tokens) {
            long chunkTokens = m.tokensPerChunk();
            long complete = tokens / chunkTokens;
            int spans = p.spansDue((int) Math.min(Integer.MAX_VALUE, complete));
            long quantTokens = (long) spans * p.quantFactor() * chunkTokens;
            return new Layout(complete, spans, tokens - quantTokens);
        }
    }

    /** K plus V storage of one quantized span in one layer. */
    static BitBudget spanBudgetPerLayer(ModelConfig m, CachePolicy p, BudgetSource source) {
        long spanTokens = (long) p.quantFactor() * m.tokensPerChunk();
        if (spanTokens * m.headDim() > KvShape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("quantFactor: a span of " + spanTokens + " tokens is too long to plan");
        }
        KvShape oneHead = new KvShape(1, 1, (int) spanTokens, m.headDim());
        return source.budget(oneHead, KvRole.KEY).plus(source.budget(oneHead, KvRole.VALUE)).times(m.kvHeads());
    }

    private static BitBudget layerBudget(ModelConfig m, Layout layout, BitBudget spanLayer) {
        BitBudget b = null;
        if (layout.spans > 0) {
            b = spanLayer.times(layout.spans);
        }
        if (layout.bf16Tokens > 0) {
            BitBudget bf = BitBudget.bf16(2L * layout.bf16Tokens * m.kvWidth());
            b = b == null ? bf : b.plus(bf);
        }
        return b;
    }

    /** Bytes of all layers' K and V at {@code tokens}; {@code spanLayer == null} means all BF16. */
    static long totalBytes(ModelConfig m, CachePolicy p, BitBudget spanLayer, long tokens) {
        if (spanLayer == null) {
            return tokens * m.bf16BytesPerTokenPerLayer() * m.layers();
        }
        Layout layout = Layout.of(m, p, tokens);
        long bits = (long) layout.spans * spanLayer.totalBits() + layout.bf16Tokens * 2L * m.kvWidth() * 16;
        return (bits + 7) / 8 * m.layers();
    }

    /**
     * The most latent frames whose cache never exceeds {@code freeBytes} at any point of the
     * generation (the cache shrinks when a span is quantized, so the peak just before matters),
     * 0 when not even one frame fits, -1 when {@code freeBytes} is negative (weights do not fit).
     */
    static long longestFitting(ModelConfig m, CachePolicy p, BitBudget spanLayer, long freeBytes) {
        if (freeBytes < 0) {
            return -1;
        }
        long frames = 0;
        while (frames < SEARCH_LIMIT_FRAMES) {
            long next = frames + 1;
            if (totalBytes(m, p, spanLayer, next * m.tokensPerLatentFrame()) > freeBytes) {
                break;
            }
            frames = next;
        }
        return frames;
    }
}
