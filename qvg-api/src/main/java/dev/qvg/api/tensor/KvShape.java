package dev.qvg.api.tensor;

/**
 * Logical shape {@code [B, H, S, D]} of one K or V tensor (batch, heads, tokens, head dim).
 * Every dimension is positive and the element count fits a Java array, so a shape that
 * exists can always be allocated by index arithmetic without overflow.
 */
public record KvShape(int batch, int heads, int tokens, int headDim) {

    /** Largest element count a tensor may have (Java arrays are int-indexed). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8L;

    public KvShape {
        requirePositive("batch", batch);
        requirePositive("heads", heads);
        requirePositive("tokens", tokens);
        requirePositive("headDim", headDim);
        long n = (long) batch * heads * tokens * headDim;
        if (n > MAX_ELEMENTS) {
            // The parameters, not dims(): the fields are not assigned yet in a compact constructor.
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(new int[] {batch, heads, tokens, headDim})
                    + " has " + n
                    + " elements, more than the " + MAX_ELEMENTS + " a tensor may hold; split it by head or by token range");
        }
    }

    private static void requirePositive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("shape: " + name + " must be positive, got " + v);
        }
    }

    /** Number of independent (batch, head) slices. */
    public int slices() {
        return batch * heads;
    }

    /** Total element count. */
    public int numel() {
        return batch * heads * tokens * headDim;
    }

    /** Elements in one {@code [S, D]} slice. */
    public int sliceSize() {
        return tokens * headDim;
    }

    /** This shape with a different token count (for token ranges of a cache). */
    public KvShape withTokens(int newTokens) {
        return new KvShape(batch, heads, newTokens, headDim);
    }

    /** The slice batch the kernels see: {@code slices} x {@code [S, D]}. */
    public SliceBatch sliceBatch() {
        return new SliceBatch(slices(), tokens, headDim);
    }

    public String dims() {
        return "[" + batch + ", " + heads + ", " + tokens + ", " + headDim + "]";
    }

    @Override
    public String toString() {
        return dims();
    }
}
