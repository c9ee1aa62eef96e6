package dev.qvg.io;

/**
 * Exact IEEE 754 binary16 (float16) conversions. {@code Float.float16ToFloat} only exists from
 * Java 20; this module targets 17. float16 to float32 is exact for every bit pattern (subnormals
 * included); float32 to float16 rounds to nearest, ties to even, overflowing to infinity, and
 * keeps NaN a NaN (quiet, sign and top payload bits kept).
 */
public final class Half {

    private Half() {
    }

    /** float32 value of a float16 bit pattern (exact). */
    public static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            // Infinity or NaN: payload moved to the top of the float mantissa.
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal: mant * 2^-24, exact in float32.
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** float16 bit pattern of {@code f}, rounded to nearest with ties to even. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            // NaN: keep it a quiet NaN with the top payload bits.
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
        }
        if (abs >= 0x477FF000) {
            // >= 65520 (half-way between max half 65504 and 2^16) rounds to infinity; infinity stays.
            return (short) (sign | 0x7C00);
        }
        int exp = (abs >>> 23) - 127;
        if (exp >= -14) {
            // Normal half: drop 13 mantissa bits with round-to-nearest-even; a carry may bump the exponent.
            int mant = abs & 0x7FFFFF;
            int h = ((exp + 15) << 10) | (mant >>> 13);
            int rest = mant & 0x1FFF;
            if (rest > 0x1000 || (rest == 0x1000 && (h & 1) == 1)) {
                h++;
            }
            return (short) (sign | h);
        }
        if (exp < -25) {
            // Below half the smallest subnormal (2^-25): rounds to zero.
            return (short) sign;
        }
        // Subnormal half: value = m * 2^-24 with m = round(full mantissa * 2^(exp+24)).
        int full = (abs & 0x7FFFFF) | 0x800000; // 24 significant bits, value = full * 2^(exp-23)
        int shift = -exp - 1; // full * 2^(exp-23) / 2^-24 = full >> (-(exp+1)) ; shift in 14..24
        int m = full >>> shift;
        int rest = full & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (m & 1) == 1)) {
            m++;
        }
        return (short) (sign | m);
    }

    /** {@code f} rounded to the nearest float16 value, as a float. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
