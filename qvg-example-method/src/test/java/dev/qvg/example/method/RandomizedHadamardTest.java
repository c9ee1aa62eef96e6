package dev.qvg.example.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RandomizedHadamardTest {

    /** H_D by its definition (Sylvester): entry (i, j) is (-1)^popcount(i & j). */
    private static double[] naiveH(double[] v) {
        int n = v.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i] += (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * v[j];
            }
        }
        return out;
    }

    @Test
    void theFastTransformIsTheSylvesterMatrix() {
        Random r = new Random(3);
        for (int n : new int[] {1, 2, 4, 8, 64, 128}) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextGaussian();
            }
            double[] want = naiveH(v), got = v.clone();
            RandomizedHadamard.fwht(got);
            assertArrayEquals(want, got, 1e-9, "n=" + n);
        }
    }

    @Test
    void rotationIsOrthonormalAndUndoes() {
        Random r = new Random(5);
        int D = 128, rows = 5000; // more than one parallel task
        float[] x = new float[rows * D];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * (i % D == 7 ? 40 : 1));
        }
        RandomizedHadamard h = new RandomizedHadamard(D, 42);
        float[] y = x.clone();
        h.rotate(y, rows);
        for (int t = 0; t < rows; t++) {
            double nx = 0, ny = 0;
            for (int d = 0; d < D; d++) {
                nx += x[t * D + d] * (double) x[t * D + d];
                ny += y[t * D + d] * (double) y[t * D + d];
            }
            assertEquals(nx, ny, 1e-5 * nx, "row " + t + ": the rotation keeps the norm");
        }
        float[] back = y.clone();
        h.unrotate(back, rows);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], back[i], 1e-5f * (1 + Math.abs(x[i])), "value " + i);
        }
    }

    @Test
    void anOutlierChannelIsSpreadEvenlyOverEveryCoordinate() {
        int D = 64;
        float[] x = new float[D];
        x[13] = 50f;
        new RandomizedHadamard(D, 0).rotate(x, 1);
        for (float v : x) {
            assertEquals(50 / Math.sqrt(D), Math.abs(v), 1e-5);
        }
    }

    @Test
    void theSignsAreFixedByTheSeedAndTheDimAlone() {
        // pinned: SplitMix64(seed)'s draws, bit d mod 64 of draw d / 64 set -> -1; a change here
        // changes every file of this method ever written
        assertEquals("----+-+--+--++--", signs(new RandomizedHadamard(16, 0)));
        assertEquals(signs(new RandomizedHadamard(16, 0)), signs(new RandomizedHadamard(16, 0)));
        assertFalse(signs(new RandomizedHadamard(128, 0)).equals(signs(new RandomizedHadamard(128, 1))));
        String s128 = signs(new RandomizedHadamard(128, 7));
        long minus = s128.chars().filter(c -> c == '-').count();
        assertTrue(minus > 40 && minus < 88, "about half the signs are -1: " + s128);
        assertTrue(s128.startsWith(signs(new RandomizedHadamard(64, 7))), "a longer dim extends the same draws");
    }

    private static String signs(RandomizedHadamard h) {
        StringBuilder sb = new StringBuilder();
        for (double s : h.signs()) {
            sb.append(s > 0 ? '+' : '-');
        }
        return sb.toString();
    }

    @Test
    void aHeadDimThatIsNotAPowerOfTwoIsRefusedNamingItAndTheRule() {
        for (int D : new int[] {0, 3, 96, 80, -4}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new RandomizedHadamard(D, 0));
            assertTrue(e.getMessage().contains("head dim " + D) && e.getMessage().contains("power of two"),
                    e.getMessage());
        }
    }
}
