package dev.qvg.api.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ErrorMetricsTest {

    @Test
    void handComputedCase() {
        float[] ref = {3, 4, 0, 0};
        float[] approx = {3, 4, 0, 1};
        ErrorMetrics m = ErrorMetrics.compare(ref, approx, 2);
        assertEquals(0.25, m.mse(), 1e-12);
        assertEquals(Math.sqrt(1.0 / 25), m.relL2(), 1e-12);
        assertEquals(-20 * Math.log10(m.relL2()), m.snrDb(), 1e-9);
        assertEquals(0.5, m.cosineMean(), 1e-12); // row 1 identical (1), row 2 zero vs nonzero (0)
        assertEquals(0.0, m.cosineMin(), 1e-12);
        assertEquals(1.0, m.maxAbs(), 0);
    }

    @Test
    void mismatchedLengthsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ErrorMetrics.compare(new float[4], new float[3], 2));
        assertThrows(IllegalArgumentException.class, () -> ErrorMetrics.compare(new float[4], new float[4], 3));
    }
}
