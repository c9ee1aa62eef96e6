package dev.qvg.api.tensor;

/**
 * The rounding the original kernels use: CUDA {@code round()}, i.e. half away from zero
 * ({@code 2.5 -> 3}, {@code -2.5 -> -3}), not Java's {@link Math#rint} (half to even) nor
 * {@link Math#round} (half up).
 */
public final class Rounding {

    private Rounding() {
    }

    public static float halfAwayFromZero(float x) {
        float a = Math.abs(x);
        if (!(a < 0x1p23f)) {
            return x; // already an integer (or NaN/Inf)
        }
        float r = (float) Math.floor(a);
        if (a - r >= 0.5f) { // exact: a - floor(a) has no rounding error for |a| < 2^23
            r += 1f;
        }
        return Math.copySign(r, x);
    }
}
