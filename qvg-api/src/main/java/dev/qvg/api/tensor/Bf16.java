package dev.qvg.api.tensor;

/**
 * Exact bfloat16 conversions: the top 16 bits of a float32, rounded to nearest with ties to
 * even. NaN maps to the canonical quiet NaN {@code 0x7FC0} (sign kept); infinities stay
 * infinite; values beyond the largest finite bf16 round to infinity, as IEEE rounding requires.
 */
public final class Bf16 {

    private Bf16() {
    }

    /** bfloat16 bit pattern of {@code f}. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) (((bits >>> 16) & 0x8000) | 0x7FC0);
        }
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return (short) (rounded >>> 16);
    }

    /** float32 value of a bfloat16 bit pattern (exact). */
    public static float toFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }

    /** {@code f} rounded to the nearest bfloat16 value, as a float. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }

    /** Rounds every element of {@code values} to bfloat16 in place. */
    public static void roundInPlace(float[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = round(values[i]);
        }
    }
}
