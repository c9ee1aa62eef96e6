package dev.qvg.api.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ErrorAccumulatorTest {

    @Test
    void groupsInRowOrderGiveExactlyTheWholeComparison() {
        int D = 16, rows = 300;
        SplittableRandom r = new SplittableRandom(11);
        float[] ref = new float[rows * D], approx = new float[rows * D];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = (float) (r.nextGaussian() * 5);
            approx[i] = ref[i] + (float) (r.nextGaussian() * 0.3);
        }
        for (int i = 0; i < D; i++) {
            ref[7 * D + i] = 0;     // a zero reference row: cosine 0
            ref[9 * D + i] = 0;
            approx[9 * D + i] = 0;  // zero in both: cosine 1
        }
        ErrorMetrics whole = ErrorMetrics.compare(ref, approx, D);
        for (int group : new int[] {1, 7, 64, rows}) {
            ErrorAccumulator acc = new ErrorAccumulator(D);
            for (int first = 0; first < rows; first += group) {
                int n = Math.min(group, rows - first) * D;
                float[] a = new float[n + 5], b = new float[n + 5]; // longer arrays: only the first n count
                System.arraycopy(ref, first * D, a, 0, n);
                System.arraycopy(approx, first * D, b, 0, n);
                acc.add(a, b, n);
            }
            assertEquals(whole, acc.result(), "groups of " + group + " rows"); // record equality: bit-exact doubles
        }
    }

    @Test
    void offsetsSumsAndCombinationsKeepTheFigures() {
        int D = 8, rows = 40;
        SplittableRandom r = new SplittableRandom(3);
        float[] ref = new float[rows * D], approx = new float[rows * D];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = (float) r.nextGaussian();
            approx[i] = ref[i] + (float) (r.nextGaussian() * 0.1);
        }
        ErrorMetrics whole = ErrorMetrics.compare(ref, approx, D);
        ErrorAccumulator byOffset = new ErrorAccumulator(D);
        byOffset.add(ref, approx, 0, 16 * D);
        byOffset.add(ref, approx, 16 * D, 24 * D);
        assertEquals(whole, byOffset.result(), "offsets in row order: the whole, bit for bit");
        ErrorAccumulator first = new ErrorAccumulator(D), second = new ErrorAccumulator(D);
        first.add(ref, approx, 0, 16 * D);
        second.add(ref, approx, 16 * D, 24 * D);
        ErrorAccumulator joined = ErrorAccumulator.of(first.sums());
        joined.plus(ErrorAccumulator.of(second.sums()));
        ErrorMetrics j = joined.result();
        assertEquals(whole.relL2(), j.relL2(), 1e-12);
        assertEquals(whole.maxAbs(), j.maxAbs());
        assertEquals(whole.cosineMin(), j.cosineMin());
        assertThrows(IllegalArgumentException.class, () -> first.plus(new ErrorAccumulator(D + 1)));
        assertThrows(IllegalArgumentException.class, () -> first.add(ref, approx, ref.length - D + 1, D));
    }

    @Test
    void aNaNInTheReconstructionSticksAsInTheWholeComparison() {
        float[] ref = {1, 2, 3, 4, 5, 6, 7, 8}, approx = {1, 2, Float.NaN, 4, 5, 6, 7, 9};
        ErrorAccumulator acc = new ErrorAccumulator(4);
        acc.add(ref, approx, 4);
        acc.add(java.util.Arrays.copyOfRange(ref, 4, 8), java.util.Arrays.copyOfRange(approx, 4, 8), 4);
        assertEquals(ErrorMetrics.compare(ref, approx, 4), acc.result());
        assertEquals(Double.NaN, acc.result().maxAbs());
    }

    @Test
    void partialRowsAndEmptyResultsAreRefused() {
        ErrorAccumulator acc = new ErrorAccumulator(4);
        assertThrows(IllegalArgumentException.class, () -> acc.add(new float[8], new float[8], 6));
        assertThrows(IllegalStateException.class, acc::result);
        assertThrows(IllegalArgumentException.class, () -> new ErrorAccumulator(0));
    }
}
