package dev.qvg.models.streamed;

import dev.qvg.models.cache.StreamingKvCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link StreamingKvCache}'s tokens {@code [from, to)} as {@link HistoryPart}s for
 * {@link StreamedAttention}: one part per quantized span (or the piece of it inside the range)
 * and one per BF16 chunk, each read from the cache only when attention reaches it, so at most
 * one span is ever decoded at a time. The cache's own rules apply to each read (an evicted or
 * never-written token fails then).
 */
public final class CacheHistory {

    private CacheHistory() {
    }

    public static List<HistoryPart> parts(StreamingKvCache cache, int from, int to) {
        Objects.requireNonNull(cache, "cache");
        int T = cache.shape().tokensPerChunk();
        if (from < 0 || to > cache.shape().capacityTokens() || from >= to) {
            throw new IllegalArgumentException("history: range [" + from + ", " + to + ") is empty or outside 0.."
                    + cache.shape().capacityTokens());
        }
        // Spans are told apart by their first chunk, which is unique even when an eviction has split
        // one span into two runs with the same index; the grouping comes from this one snapshot of
        // spans(), so a writer quantizing meanwhile can at worst make a span be decoded per chunk.
        int[] spanOf = new int[cache.shape().maxChunks()];
        java.util.Arrays.fill(spanOf, -1);
        for (StreamingKvCache.Span sp : cache.spans()) {
            for (int c = sp.startChunk(); c < sp.endChunk(); c++) {
                spanOf[c] = sp.startChunk();
            }
        }
        List<HistoryPart> out = new ArrayList<>();
        int a = from;
        while (a < to) {
            int c = a / T;
            int end;
            if (spanOf[c] >= 0) {
                int e = c;
                while (e < spanOf.length && spanOf[e] == spanOf[c]) {
                    e++;
                }
                end = Math.min(to, e * T);
            } else {
                end = Math.min(to, (c + 1) * T);
            }
            int lo = a, hi = end;
            out.add(HistoryPart.of(hi - lo, () -> cache.read(lo, hi)));
            a = end;
        }
        return out;
    }
}
