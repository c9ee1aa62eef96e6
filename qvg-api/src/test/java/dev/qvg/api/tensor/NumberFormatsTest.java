package dev.qvg.api.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NumberFormatsTest {

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, Bf16.fromFloat(1f));
        // 1 + 2^-8 lies halfway between 1.0 (0x3F80, even) and 1.0078125 (0x3F81): ties to even.
        assertEquals((short) 0x3F80, Bf16.fromFloat(1f + 0x1p-8f));
        // 1 + 3*2^-8 lies halfway between 0x3F81 (odd) and 0x3F82 (even).
        assertEquals((short) 0x3F82, Bf16.fromFloat(1f + 3 * 0x1p-8f));
        // just above the halfway point rounds up
        assertEquals((short) 0x3F81, Bf16.fromFloat(Math.nextUp(1f + 0x1p-8f)));
        assertEquals((short) 0xBF80, Bf16.fromFloat(-1f));
    }

    @Test
    void bf16SpecialValues() {
        assertEquals((short) 0x7FC0, Bf16.fromFloat(Float.NaN));
        assertEquals((short) 0xFFC0, Bf16.fromFloat(Float.intBitsToFloat(0xFFC00001)));
        assertEquals((short) 0x7F80, Bf16.fromFloat(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7F80, Bf16.fromFloat(Float.MAX_VALUE)); // beyond max bf16 rounds to infinity
        assertTrue(Float.isNaN(Bf16.toFloat((short) 0x7FC0)));
    }

    @Test
    void bf16RoundTripsEveryFinitePattern() {
        for (int b = 0; b < 0x10000; b++) {
            float f = Bf16.toFloat((short) b);
            if (!Float.isNaN(f)) {
                assertEquals((short) b, Bf16.fromFloat(f), "pattern " + Integer.toHexString(b));
            }
        }
    }

    @Test
    void fp8KnownCodes() {
        assertEquals((byte) 0x38, Fp8E4M3.fromFloat(1f));
        assertEquals((byte) 0x7E, Fp8E4M3.fromFloat(448f));
        assertEquals((byte) 0x01, Fp8E4M3.fromFloat(0x1p-9f));
        assertEquals((byte) 0xB8, Fp8E4M3.fromFloat(-1f));
        assertEquals(0.3125f, Fp8E4M3.round(0.3f));
        assertEquals(0f, Fp8E4M3.round(0x1p-11f)); // below half the smallest subnormal
    }

    @Test
    void fp8TiesToEvenAndSaturates() {
        assertEquals(1f, Fp8E4M3.round(1.0625f));      // halfway 1.0 / 1.125 -> even mantissa 0
        assertEquals(1.25f, Fp8E4M3.round(1.1875f));   // halfway 1.125 / 1.25 -> even mantissa 2
        assertEquals(448f, Fp8E4M3.round(470f));
        assertEquals(448f, Fp8E4M3.round(1e30f));
        assertEquals(-448f, Fp8E4M3.round(Float.NEGATIVE_INFINITY));
        assertEquals((byte) 0x7F, Fp8E4M3.fromFloat(Float.NaN));
        assertTrue(Float.isNaN(Fp8E4M3.toFloat((byte) 0x7F)));
    }

    @Test
    void fp8RoundTripsEveryFiniteCode() {
        float prev = -1f;
        for (int c = 0; c <= 0x7E; c++) {
            float f = Fp8E4M3.toFloat((byte) c);
            assertTrue(f > prev, "positive codes are monotone");
            prev = f;
            assertEquals((byte) c, Fp8E4M3.fromFloat(f));
            assertEquals((byte) (c | 0x80), Fp8E4M3.fromFloat(-f == 0f ? -0f : -f));
        }
        assertEquals(448f, prev);
    }

    @Test
    void roundingIsHalfAwayFromZero() {
        assertEquals(3f, Rounding.halfAwayFromZero(2.5f));
        assertEquals(-3f, Rounding.halfAwayFromZero(-2.5f));
        assertEquals(1f, Rounding.halfAwayFromZero(0.5f));
        assertEquals(-1f, Rounding.halfAwayFromZero(-0.5f));
        assertEquals(0f, Rounding.halfAwayFromZero(0.49999997f));
        assertEquals(2f, Rounding.halfAwayFromZero(1.5f));
        assertEquals(1f, Rounding.halfAwayFromZero(1.4999999f));
        assertEquals(8388609f, Rounding.halfAwayFromZero(8388609f));
    }
}
