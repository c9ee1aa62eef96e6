package dev.qvg.api.tensor;

/**
 * Exact FP8 E4M3 ("fn" variant: bias 7, no infinities, max finite 448, NaN = S.1111.111)
 * conversions. Rounding is to nearest with ties to even; finite values beyond 448 (and
 * infinities) saturate to +-448, as scale storage wants; NaN maps to {@code 0x7F} with the
 * sign kept. Subnormals (down to 2^-9) are exact.
 */
public final class Fp8E4M3 {

    public static final float MAX = 448f;
    private static final float[] DECODE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            DECODE[i] = decodeSlow((byte) i);
        }
    }

    private Fp8E4M3() {
    }

    private static float decodeSlow(byte b) {
        int v = b & 0xFF;
        int sign = (v >>> 7) & 1;
        int exp = (v >>> 3) & 0xF;
        int man = v & 0x7;
        float mag;
        if (exp == 0xF && man == 0x7) {
            mag = Float.NaN;
        } else if (exp == 0) {
            mag = man * 0x1p-9f;
        } else {
            mag = (1f + man / 8f) * (float) Math.scalb(1.0, exp - 7);
        }
        return sign == 1 ? -mag : mag;
    }

    /** float32 value of an FP8 E4M3 byte (exact). */
    public static float toFloat(byte fp8) {
        return DECODE[fp8 & 0xFF];
    }

    /** FP8 E4M3 bit pattern nearest to {@code f}, saturating at +-448. */
    public static byte fromFloat(float f) {
        int signBit = Float.floatToRawIntBits(f) >>> 31 << 7;
        if (Float.isNaN(f)) {
            return (byte) (signBit | 0x7F);
        }
        float a = Math.abs(f);
        if (a >= MAX) {
            return (byte) (signBit | 0x7E);
        }
        // All magnitudes < 448 are representable within one of 126 finite codes; pick the
        // nearest by binary search over the monotone positive code table, ties to even code.
        int lo = 0, hi = 0x7E;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (DECODE[mid] <= a) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        float dLo = a - DECODE[lo];
        float dHi = DECODE[hi] - a;
        int code;
        if (dLo < dHi) {
            code = lo;
        } else if (dHi < dLo) {
            code = hi;
        } else {
            code = (lo & 1) == 0 ? lo : hi;
        }
        return (byte) (signBit | code);
    }

    /** {@code f} rounded to the nearest FP8 E4M3 value (saturating), as a float. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
