package dev.qvg.models.cache;

/**
 * When the chunks of a streaming cache are quantized (spec section 7). Chunks are numbered from
 * 0 in generation order. The first {@code sinkChunks} are never quantized. After them the chunks
 * are grouped into spans of {@code quantFactor} consecutive chunks: span {@code j} covers chunks
 * {@code [sinkChunks + j * quantFactor, sinkChunks + (j + 1) * quantFactor)} and is quantized (as
 * one tensor, k-means over the whole span) as soon as its last chunk is complete and
 * {@code keepRecentChunks} more chunks have been completed after it. Chunks whose span is not due
 * yet stay BF16.
 *
 * <p>This one rule is used both by {@link StreamingKvCache} and by the memory planner, so a plan
 * and a run of the same length agree byte for byte.
 *
 * @param quantFactor      chunks per quantized span (reference default 8)
 * @param keepRecentChunks completed chunks kept BF16 behind the newest (reference default 0)
 * @param sinkChunks       leading chunks never quantized (reference default 0; 1 recommended)
 */
public record CachePolicy(int quantFactor, int keepRecentChunks, int sinkChunks) {

    public CachePolicy {
        if (quantFactor < 1) {
            throw new IllegalArgumentException("quantFactor: must be at least 1, got " + quantFactor);
        }
        if (keepRecentChunks < 0) {
            throw new IllegalArgumentException("keepRecentChunks: must not be negative, got " + keepRecentChunks);
        }
        if (sinkChunks < 0) {
            throw new IllegalArgumentException("sinkChunks: must not be negative, got " + sinkChunks);
        }
    }

    /** The reference implementation's defaults: spans of 8 chunks, no recent window, no sink. */
    public static CachePolicy reference() {
        return new CachePolicy(8, 0, 0);
    }

    public CachePolicy withQuantFactor(int v) {
        return new CachePolicy(v, keepRecentChunks, sinkChunks);
    }

    public CachePolicy withKeepRecentChunks(int v) {
        return new CachePolicy(quantFactor, v, sinkChunks);
    }

    public CachePolicy withSinkChunks(int v) {
        return new CachePolicy(quantFactor, keepRecentChunks, v);
    }

    /** How many spans are due once {@code completedChunks} chunks are complete. */
    public int spansDue(int completedChunks) {
        if (completedChunks < 0) {
            throw new IllegalArgumentException("completedChunks: must not be negative, got " + completedChunks);
        }
        int eligible = completedChunks - keepRecentChunks - sinkChunks;
        return eligible <= 0 ? 0 : eligible / quantFactor;
    }

    /** First chunk of span {@code j}. */
    public int spanStart(int j) {
        return sinkChunks + j * quantFactor;
    }

    /** One past the last chunk of span {@code j}. */
    public int spanEnd(int j) {
        return spanStart(j) + quantFactor;
    }

    /** Short description, e.g. {@code qf=8 recent=0 sink=1}. */
    public String label() {
        return "qf=" + quantFactor + " recent=" + keepRecentChunks + " sink=" + sinkChunks;
    }
}
