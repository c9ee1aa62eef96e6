package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfTest {

    @Test
    void everyHalfSurvivesFloatAndBack() {
        for (int h = 0; h < 65536; h++) {
            float f = Half.toFloat((short) h);
            short back = Half.fromFloat(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.toFloat(back)), "NaN " + Integer.toHexString(h));
            } else {
                assertEquals(h, back & 0xFFFF, "pattern " + Integer.toHexString(h) + " -> " + f);
            }
        }
    }

    @Test
    void handCheckedValues() {
        // Every expected pattern below was checked against numpy: np.float32(v).astype(np.float16).view(np.uint16).
        assertEquals(0x3C00, Half.fromFloat(1.0f) & 0xFFFF);
        assertEquals(0xC000, Half.fromFloat(-2.0f) & 0xFFFF);
        assertEquals(0x2E66, Half.fromFloat(0.1f) & 0xFFFF); // numpy: np.float16(0.1).view(np.uint16) == 0x2e66
        assertEquals(0x7BFF, Half.fromFloat(65504f) & 0xFFFF);
        assertEquals(0x7BFF, Half.fromFloat(65519.99f) & 0xFFFF);
        assertEquals(0x7C00, Half.fromFloat(65520f) & 0xFFFF); // halfway to 2^16 rounds to even: infinity
        assertEquals(0x0001, Half.fromFloat(0x1p-24f) & 0xFFFF); // smallest subnormal
        assertEquals(0x0000, Half.fromFloat(0x1p-25f) & 0xFFFF); // tie between 0 and 2^-24: even is 0
        assertEquals(0x0002, Half.fromFloat(0x1.8p-24f) & 0xFFFF); // tie between 1 and 2 (x 2^-24): even is 2
        assertEquals(0x0001, Half.fromFloat(0x1.8p-25f) & 0xFFFF);
        assertEquals(0x0400, Half.fromFloat(0x1p-14f) & 0xFFFF); // smallest normal
        assertEquals(0x8000, Half.fromFloat(-0.0f) & 0xFFFF);
        assertEquals(0x3C00, Half.fromFloat(1.0f + 0x1p-11f) & 0xFFFF); // tie: mantissa even stays
        assertEquals(0x3C02, Half.fromFloat(1.0f + 3 * 0x1p-11f) & 0xFFFF); // tie: rounds up to even
        assertEquals(0x1p-24f, Half.toFloat((short) 1));
        assertEquals(65504f, Half.toFloat((short) 0x7BFF));
        assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat((short) 0xFC00));
    }

    @Test
    void roundsToTheNearestHalfForRandomFloats() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) ((rng.nextDouble() - 0.5) * Math.pow(2, rng.nextInt(-30, 17)));
            short h = Half.fromFloat(f);
            float r = Half.toFloat(h);
            if (Float.isInfinite(r)) {
                assertTrue(Math.abs(f) >= 65520f, "overflow of " + f);
                continue;
            }
            // No other finite half is closer: check both neighbours of the result.
            double err = Math.abs((double) r - f);
            for (int delta : new int[] {-1, 1}) {
                int n = (h & 0xFFFF) + delta;
                if ((n & 0x7FFF) >= 0x7C00 || n < 0 || n > 0xFFFF) {
                    continue;
                }
                double other = Math.abs((double) Half.toFloat((short) n) - f);
                assertTrue(err <= other, f + " -> " + r + " but neighbour " + Half.toFloat((short) n) + " is closer");
            }
        }
    }
}
