package dev.qvg.api.tensor;

/**
 * Memory order of a KV tensor whose logical shape is always {@code [B, H, S, D]}.
 * Both orders occur in the model integrations; every quantizer works on
 * {@code [S, D]} slices, which are contiguous only in {@link #BHSD}.
 */
public enum Layout {
    /** batch, heads, tokens, head dim: a (batch, head) slice is one contiguous block. */
    BHSD,
    /** batch, tokens, heads, head dim: a slice's rows are {@code H * D} apart. */
    BSHD;

    /** Parses {@code bhsd} / {@code bshd} case-insensitively, naming the bad value otherwise. */
    public static Layout parse(String text) {
        for (Layout l : values()) {
            if (l.name().equalsIgnoreCase(text.trim())) {
                return l;
            }
        }
        throw new IllegalArgumentException("layout: unknown value '" + text + "', expected bhsd or bshd");
    }
}
