package dev.qvg.models.cache;

import dev.qvg.api.tensor.KvShape;

/**
 * Geometry of one streaming K or V cache: {@code [batch, heads, tokens, headDim]} with the token
 * axis cut into {@code maxChunks} chunks of {@code tokensPerChunk} tokens (whole latent frames).
 */
public record CacheShape(int batch, int heads, int headDim, int tokensPerChunk, int maxChunks) {

    public CacheShape {
        positive("batch", batch);
        positive("heads", heads);
        positive("headDim", headDim);
        positive("tokensPerChunk", tokensPerChunk);
        positive("maxChunks", maxChunks);
        long chunkValues = (long) batch * heads * tokensPerChunk * headDim;
        if (chunkValues > KvShape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("cache shape: one chunk of " + chunkValues + " values is too large");
        }
        if ((long) tokensPerChunk * maxChunks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cache shape: " + maxChunks + " chunks of " + tokensPerChunk
                    + " tokens exceed the int token axis");
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("cache shape: " + name + " must be positive, got " + v);
        }
    }

    public int slices() {
        return batch * heads;
    }

    public int capacityTokens() {
        return tokensPerChunk * maxChunks;
    }

    /** Values in one chunk. */
    public int chunkValues() {
        return slices() * tokensPerChunk * headDim;
    }

    /** The {@link KvShape} of {@code tokens} tokens of this cache. */
    public KvShape kvShape(int tokens) {
        return new KvShape(batch, heads, tokens, headDim);
    }
}
