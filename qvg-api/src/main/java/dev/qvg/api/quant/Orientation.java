package dev.qvg.api.quant;

/** Along which axis the blocks of a quantized tensor run. */
public enum Orientation {
    /** Blocks along the head dim of each token: rows are tokens ({@code [slices * S', D]}). */
    TOKEN_MAJOR,
    /** Blocks along the token axis of each channel (KIVI keys): rows are channels ({@code [slices * D, S']}). */
    CHANNEL_MAJOR
}
