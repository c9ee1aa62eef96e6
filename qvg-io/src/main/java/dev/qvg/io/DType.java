package dev.qvg.io;

import java.util.Locale;

/**
 * The safetensors element types this module reads and writes, with their on-disk names and
 * widths. All multi-byte types are little-endian on disk, as the safetensors format requires.
 * Float types (F32, F16, BF16) carry tensor data; the integer types carry the codes, ids and
 * raw bit patterns of the quantized-cache format.
 */
public enum DType {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    U8(1, false),
    U16(2, false),
    I32(4, false);

    private final int size;
    private final boolean floating;

    DType(int size, boolean floating) {
        this.size = size;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether elements are floating-point values (convertible to float exactly). */
    public boolean isFloating() {
        return floating;
    }

    /** The name used in safetensors headers ("F32", "BF16", ...). */
    public String safetensorsName() {
        return name();
    }

    /** Parses a safetensors dtype name, or returns null when it is not one this module supports. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Parses {@code f32}, {@code f16}, {@code bf16} (any case), naming the bad value otherwise. */
    public static DType parseFloating(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (DType d : values()) {
            if (d.floating && d.name().equals(t)) {
                return d;
            }
        }
        throw new IllegalArgumentException("dtype: unknown value '" + text + "', expected f32, f16 or bf16");
    }
}
