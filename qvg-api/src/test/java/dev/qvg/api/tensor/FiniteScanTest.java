package dev.qvg.api.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FiniteScanTest {

    @Test
    void findsANonFiniteValueAnywhereIncludingChunkEdgesAndTheLastPartialChunk() {
        int n = (1 << 21) + 123;
        float[] a = new float[n + 5];
        a[n + 2] = Float.NaN; // beyond n: never looked at
        assertTrue(FiniteScan.allParallel(a, n));
        for (int at : new int[] {0, (1 << 20) - 1, 1 << 20, n - 1}) {
            a[at] = at % 2 == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
            assertFalse(FiniteScan.allParallel(a, n), "non-finite at " + at);
            assertFalse(FiniteScan.all(a, 0, n), "non-finite at " + at);
            a[at] = 0f;
        }
        a[10] = Float.NEGATIVE_INFINITY;
        assertTrue(FiniteScan.all(a, 11, 100), "a range that excludes it");
        assertFalse(FiniteScan.allParallel(new float[] {1f, Float.NaN}, 2), "small arrays scanned in one go");
    }
}
