package dev.qvg.models.cache;

/** Where one chunk of a {@link StreamingKvCache} stands. */
public enum ChunkState {
    /** Never written. Reading it fails. */
    EMPTY,
    /** Held as BF16 values. */
    BF16,
    /** Part of a quantized span; read back by dequantizing the span. */
    QUANTIZED,
    /** Freed by {@link StreamingKvCache#evict}; reading it fails with {@link EvictedRangeException}. */
    EVICTED
}
