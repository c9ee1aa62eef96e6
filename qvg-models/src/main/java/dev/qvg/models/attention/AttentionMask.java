package dev.qvg.models.attention;

/**
 * Which keys a query may see, by absolute token position: query row {@code i} sits at
 * {@code queryStart + i}, key row {@code j} at {@code keyStart + j}.
 *
 * <ul>
 *   <li>{@link Kind#NONE}: every key;</li>
 *   <li>{@link Kind#CAUSAL}: keys at or before the query's position;</li>
 *   <li>{@link Kind#CHUNK}: keys in the query's chunk or an earlier one (chunks of
 *       {@code tokensPerChunk} tokens counted from position 0): block-causal attention of chunked
 *       AR video models, where a chunk's tokens see each other and all the past.</li>
 * </ul>
 */
public record AttentionMask(Kind kind, int queryStart, int keyStart, int tokensPerChunk) {

    public enum Kind { NONE, CAUSAL, CHUNK }

    public AttentionMask {
        if (kind == null) {
            throw new IllegalArgumentException("mask: kind must not be null");
        }
        if (queryStart < 0 || keyStart < 0) {
            throw new IllegalArgumentException("mask: positions must not be negative, got queryStart " + queryStart
                    + ", keyStart " + keyStart);
        }
        if (kind == Kind.CHUNK && tokensPerChunk < 1) {
            throw new IllegalArgumentException("mask: tokensPerChunk must be positive for a chunk mask, got "
                    + tokensPerChunk);
        }
    }

    public static AttentionMask none() {
        return new AttentionMask(Kind.NONE, 0, 0, 0);
    }

    public static AttentionMask causal(int queryStart, int keyStart) {
        return new AttentionMask(Kind.CAUSAL, queryStart, keyStart, 0);
    }

    public static AttentionMask chunk(int queryStart, int keyStart, int tokensPerChunk) {
        return new AttentionMask(Kind.CHUNK, queryStart, keyStart, tokensPerChunk);
    }

    /** Whether query row {@code i} may see key row {@code j}. */
    public boolean allows(int i, int j) {
        long q = (long) queryStart + i, k = (long) keyStart + j;
        return switch (kind) {
            case NONE -> true;
            case CAUSAL -> k <= q;
            case CHUNK -> k / tokensPerChunk <= q / tokensPerChunk;
        };
    }

    /** Keys {@code [0, n)} of row {@code i} that are visible: they are always a prefix. */
    public int visibleKeys(int i, int keys) {
        long q = (long) queryStart + i;
        long lastVisible = switch (kind) {
            case NONE -> Long.MAX_VALUE;
            case CAUSAL -> q;
            case CHUNK -> (q / tokensPerChunk + 1) * tokensPerChunk - 1;
        };
        long n = lastVisible == Long.MAX_VALUE ? keys : lastVisible - keyStart + 1;
        return (int) Math.max(0, Math.min(keys, n));
    }
}
