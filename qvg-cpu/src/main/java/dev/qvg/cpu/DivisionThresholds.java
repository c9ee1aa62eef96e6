package dev.qvg.cpu;

/**
 * Turns "does the rounded quotient reach t" into one comparison with a precomputed float, so
 * the block quantizer needs no division per value and stays bit-exact with the reference's
 * {@code x / scale}.
 *
 * <p>For a positive finite {@code scale} and a float {@code t} whose significand is even, the
 * float quotient {@code fl(d / scale)} is at least {@code t} exactly when the real quotient is at
 * least the midpoint {@code m} between {@code t} and the float just below it (round to nearest
 * sends reals below {@code m} to that float or lower, and the tie at {@code m} to the even
 * {@code t}). So the test is {@code d >= scale * m} over the reals; {@code scale} has 24
 * significant bits and {@code m} at most 25 for the thresholds used here, so {@code scale * m}
 * is exact in double, and for a float {@code d} it is the same as {@code d >= T} with {@code T}
 * the smallest float not below it. This holds across gradual underflow and overflow as well,
 * because float rounding is monotone there too.
 */
final class DivisionThresholds {

    private DivisionThresholds() {
    }

    /**
     * The smallest float {@code T} with {@code fl(d / scale) >= t  <=>  d >= T} for every non-NaN
     * float {@code d}.
     *
     * @throws IllegalArgumentException if {@code scale} is not positive and finite, or {@code t}
     *         is not a positive float below {@code 2^21} with an even significand
     */
    static float atLeast(float scale, float t) {
        if (!(scale > 0f) || scale == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("scale: must be positive and finite, got " + scale);
        }
        return atLeast(scale, midpointBelow(t));
    }

    /**
     * The real number where rounding to float starts giving {@code t}: the midpoint between
     * {@code t} and the float below it, exact in double (25 significant bits at most).
     *
     * @throws IllegalArgumentException if {@code t} is not a positive float below {@code 2^21}
     *         with an even significand (the tie would then round away from {@code t})
     */
    static double midpointBelow(float t) {
        if (!(t > 0f) || t >= 0x1p21f || (Float.floatToRawIntBits(t) & 1) != 0) {
            throw new IllegalArgumentException("t: must be positive, below 2^21 and have an even significand, got " + t);
        }
        return ((double) t + (double) Math.nextDown(t)) * 0.5;
    }

    /**
     * {@link #atLeast(float, float)} for a precomputed {@link #midpointBelow} and a scale the
     * caller has checked to be positive and finite: the per-block fast path.
     */
    static float atLeast(float scale, double midpoint) {
        double bound = scale * midpoint; // exact: at most 24 + 25 significant bits
        float f = (float) bound; // nearest; finite and not negative for such a scale
        // One ulp up when rounding went down: the next float of a non-negative finite one is its
        // bits plus one (0 becomes the smallest subnormal), without Math.nextUp's special cases.
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) + ((double) f < bound ? 1 : 0));
    }

    /**
     * {@link #atLeast(float, float) atLeast(scale, 0.5f)} for {@code scale >= 2^-125} (every
     * block scale is, being at least {@code MIN_SCALE}): exactly {@code scale / 2}, so a vector of
     * scales gives its thresholds in one multiply. Why: {@code scale / 2 = m * 2^e},
     * {@code 1 <= m < 2}, is then a normal float, and the bound is {@code scale / 2 - m * 2^(e-25)};
     * the float below {@code scale / 2} is {@code 2^(e-23)} away ({@code 2^(e-24)} when
     * {@code m = 1}), further than {@code m * 2^(e-25) < 2^(e-24)}: no float lies in between.
     * (Below {@code 2^-125} the halving itself may round, and the claim fails.)
     */
    static float half(float scale) {
        return scale * 0.5f;
    }
}
