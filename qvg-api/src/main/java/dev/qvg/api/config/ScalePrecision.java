package dev.qvg.api.config;

import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.Fp8E4M3;
import java.util.Locale;

/** How block scales and zero points are stored. */
public enum ScalePrecision {
    /** bfloat16: 16 bits. Values are divided by the float32 scale, the stored scale is its bf16 rounding. */
    BF16(16),
    /** FP8 E4M3 (fn, max 448): 8 bits. The scale is rounded to FP8 first and values divided by the rounded scale. */
    FP8_E4M3(8);

    private final int bits;

    ScalePrecision(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** Bit pattern of {@code v} in this precision (FP8 in the low byte). */
    public short encode(float v) {
        return this == BF16 ? Bf16.fromFloat(v) : (short) (Fp8E4M3.fromFloat(v) & 0xFF);
    }

    /** Value of a stored bit pattern. */
    public float decode(short bits) {
        return this == BF16 ? Bf16.toFloat(bits) : Fp8E4M3.toFloat((byte) bits);
    }

    /** {@code v} rounded to this precision. */
    public float round(float v) {
        return decode(encode(v));
    }

    /** The name the command line takes and JSON documents write: {@code bf16} or {@code fp8}. */
    public String cliName() {
        return this == BF16 ? "bf16" : "fp8";
    }

    /** Accepts bf16, fp8, fp8_e4m3, fp8-e4m3 (any case). */
    public static ScalePrecision parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        switch (t) {
            case "bf16": case "bfloat16": return BF16;
            case "fp8": case "fp8_e4m3": case "e4m3": return FP8_E4M3;
            default: throw new IllegalArgumentException("scale precision: unknown value '" + text + "', expected bf16 or fp8");
        }
    }
}
