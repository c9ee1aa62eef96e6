package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The claim the SIMD quantizer rests on: {@code fl(d / s) >= t} exactly when {@code d >= T}. */
class DivisionThresholdsTest {

    private static final float[] TS = {0.5f, 1.5f, 2.5f, 3.5f, 7.5f, 127.5f};

    @Test
    void comparisonEqualsTheRoundedQuotientNearAndFarFromTheThreshold() {
        SplittableRandom r = new SplittableRandom(11L);
        long checked = 0;
        for (int rep = 0; rep < 20_000; rep++) {
            float s = randomScale(r);
            float t = TS[r.nextInt(TS.length)];
            float threshold = DivisionThresholds.atLeast(s, t);
            // Smallest such float: one ulp lower the quotient falls short.
            assertTrue(threshold / s >= t, () -> "T/s below t for s=" + s + " t=" + t);
            assertTrue(Math.nextDown(threshold) / s < t, () -> "T not minimal for s=" + s + " t=" + t);
            float d = threshold;
            for (int u = 0; u < 8; u++) {
                d = Math.nextDown(d);
            }
            for (int u = 0; u < 16; u++, d = Math.nextUp(d)) {
                assertEquals(d / s >= t, d >= threshold, "s=" + s + " t=" + t + " d=" + d);
                checked++;
            }
            float far = (float) (r.nextGaussian() * s * 4);
            assertEquals(far / s >= t, far >= threshold, "s=" + s + " t=" + t + " d=" + far);
        }
        assertTrue(checked >= 300_000);
    }

    @Test
    void theHalfThresholdOfANormalScaleIsHalfTheScale() {
        assertTrue(BlockQuantConfig.MIN_SCALE >= 0x1p-125f, "every block scale is in the range where this holds");
        SplittableRandom r = new SplittableRandom(12L);
        for (int exp = -125; exp <= 127; exp++) {
            for (int rep = 0; rep < 200; rep++) {
                // Every exponent, with random significands and the two extremes of each binade.
                int mantissa = rep == 0 ? 0 : rep == 1 ? 0x7FFFFF : r.nextInt(1 << 23);
                float s = Float.intBitsToFloat((exp + 127) << 23 | mantissa);
                assertEquals(DivisionThresholds.atLeast(s, 0.5f), DivisionThresholds.half(s), "s=" + s);
            }
        }
    }

    @Test
    void extremeScalesStillAgree() {
        float[] scales = {1e-10f, Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, 3e38f / 4, Float.MAX_VALUE / 3, 1f, 0x1p-9f};
        float[] ds = {0f, -0f, Float.MIN_VALUE, 1e-38f, 1e-10f, 0.5f, 1f, 1e30f, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -1f};
        for (float s : scales) {
            for (float t : TS) {
                float threshold = DivisionThresholds.atLeast(s, t);
                for (float d : ds) {
                    assertEquals(d / s >= t, d >= threshold, "s=" + s + " t=" + t + " d=" + d);
                    float n = Math.nextUp(threshold), m = Math.nextDown(threshold);
                    assertEquals(n / s >= t, n >= threshold, "s=" + s + " t=" + t + " d=" + n);
                    assertEquals(m / s >= t, m >= threshold, "s=" + s + " t=" + t + " d=" + m);
                }
            }
        }
    }

    @Test
    void refusesScalesAndThresholdsItCannotHandle() {
        assertThrows(IllegalArgumentException.class, () -> DivisionThresholds.atLeast(0f, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> DivisionThresholds.atLeast(-1f, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> DivisionThresholds.atLeast(Float.NaN, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> DivisionThresholds.atLeast(Float.POSITIVE_INFINITY, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> DivisionThresholds.atLeast(1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> DivisionThresholds.atLeast(1f, Math.nextUp(1f)));
        assertThrows(IllegalArgumentException.class, () -> DivisionThresholds.atLeast(1f, 0x1p22f));
    }

    private static float randomScale(SplittableRandom r) {
        double e = r.nextDouble(-40, 40);
        float s = (float) (Math.pow(2, e) * (1 + r.nextDouble()));
        return r.nextInt(4) == 0 ? Float.intBitsToFloat(Float.floatToRawIntBits(s) & 0xFFFF0000) : s; // bf16-like too
    }
}
