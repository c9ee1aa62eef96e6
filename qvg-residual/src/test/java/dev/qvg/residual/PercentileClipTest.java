package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PercentileClipTest {

    @Test
    void linearInterpolationPercentileHandComputed() {
        float[] a = {1, 2, 3, 4, 5};
        assertEquals(3f, PercentileClip.threshold(a, 50));       // h = 2
        assertEquals(4.6f, PercentileClip.threshold(a, 90));     // h = 3.6: 4 + 0.6 * 1
        assertEquals(5f, PercentileClip.threshold(a, 100));
        assertEquals(1.04f, PercentileClip.threshold(a, 1), 1e-6f); // h = 0.04
        assertEquals(7f, PercentileClip.threshold(new float[] {7}, 99));
    }

    @Test
    void clipsEachBlockToItsOwnThreshold() {
        // Two blocks of 4: |x| sorted {0.5, 1, 2, 10} and {1, 1, 1, 1}. p = 50: h = 1.5, t = 1.5 and 1.
        float[] x = {10, -0.5f, -2, 1, 1, -1, 1, -1};
        PercentileClip.clipBlocks(x, 8, 4, 50);
        assertArrayEquals(new float[] {1.5f, -0.5f, -1.5f, 1, 1, -1, 1, -1}, x);
        float[] y = {10, -0.5f, -2, 1};
        PercentileClip.clipBlocks(y, 4, 4, 100);
        assertArrayEquals(new float[] {10, -0.5f, -2, 1}, y, "the 100th percentile clips nothing");
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> PercentileClip.clipBlocks(new float[8], 8, 3, 99));
        assertThrows(IllegalArgumentException.class, () -> PercentileClip.clipBlocks(new float[8], 8, 4, 0));
    }
}
