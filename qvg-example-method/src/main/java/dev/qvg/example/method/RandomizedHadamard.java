package dev.qvg.example.method;

import dev.qvg.api.reference.SplitMix64;
import java.util.stream.IntStream;

/**
 * The orthonormal rotation {@code R = (1/sqrt(D)) H_D diag(s)} of a head dim {@code D}, a power
 * of two: {@code H_D} the Sylvester-ordered Walsh-Hadamard matrix ({@code H_1 = [1]},
 * {@code H_2m = [[H_m, H_m], [H_m, -H_m]]}), {@code s} a vector of random signs. Applied to each
 * token (row of {@code D} values) with the fast Walsh-Hadamard transform, {@code O(D log D)} per
 * token. {@code R} is orthogonal ({@code H_D H_D = D I}), so {@code R^-1 = R^T = diag(s) H_D / sqrt(D)}
 * and a squared error made after the rotation is the same squared error after the inverse.
 *
 * <p>The signs are fixed by the seed and {@code D} alone, independent of the JDK: sign {@code d}
 * is {@code -1} when bit {@code d mod 64} of the {@code (d / 64)}-th draw of
 * {@link SplitMix64}{@code (seed)} is set, else {@code +1}. Each row is transformed in double
 * precision and rounded to float once, in a fixed order, so results do not depend on threads.
 */
final class RandomizedHadamard {

    /** Rows per parallel task: enough work that fork/join overhead is noise. */
    private static final int ROWS_PER_TASK = 2048;

    private final int dim;
    private final double[] signs;
    private final double norm;

    /**
     * @throws IllegalArgumentException when {@code dim} is not a power of two, naming it and the rule
     */
    RandomizedHadamard(int dim, long seed) {
        requirePowerOfTwo(dim);
        this.dim = dim;
        this.norm = 1.0 / Math.sqrt(dim);
        this.signs = new double[dim];
        SplitMix64 rng = new SplitMix64(seed);
        long bits = 0;
        for (int d = 0; d < dim; d++) {
            if (d % 64 == 0) {
                bits = rng.nextLong();
            }
            signs[d] = ((bits >>> (d % 64)) & 1L) != 0 ? -1.0 : 1.0;
        }
    }

    /** Refuses a head dim the fast transform cannot rotate. */
    static void requirePowerOfTwo(int dim) {
        if (dim < 1 || Integer.bitCount(dim) != 1) {
            throw new IllegalArgumentException("head dim " + dim + " is not a power of two: the Hadamard rotation of"
                    + " rtn-hadamard needs a head dim of 1, 2, 4, ..., 2^k (e.g. 64 or 128)");
        }
    }

    int dim() {
        return dim;
    }

    /** The signs {@code s}, as +1 and -1 (a copy). */
    double[] signs() {
        return signs.clone();
    }

    /** {@code x'_row = R x_row} in place, for each of the {@code rows} rows of {@code data}. */
    void rotate(float[] data, int rows) {
        forEachRow(data, rows, true);
    }

    /** {@code x_row = R^T x'_row} in place, for each of the {@code rows} rows of {@code data}. */
    void unrotate(float[] data, int rows) {
        forEachRow(data, rows, false);
    }

    private void forEachRow(float[] data, int rows, boolean forward) {
        if ((long) rows * dim > data.length) {
            throw new IllegalArgumentException("rotation: " + rows + " rows of " + dim + " need " + (long) rows * dim
                    + " values, got " + data.length);
        }
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream range = IntStream.range(0, tasks);
        (tasks > 1 ? range.parallel() : range).forEach(t -> {
            double[] row = new double[dim];
            int end = Math.min(rows, (t + 1) * ROWS_PER_TASK);
            for (int r = t * ROWS_PER_TASK; r < end; r++) {
                int base = r * dim;
                if (forward) {
                    for (int d = 0; d < dim; d++) {
                        row[d] = signs[d] * data[base + d];
                    }
                    fwht(row);
                    for (int d = 0; d < dim; d++) {
                        data[base + d] = (float) (row[d] * norm);
                    }
                } else {
                    for (int d = 0; d < dim; d++) {
                        row[d] = data[base + d];
                    }
                    fwht(row);
                    for (int d = 0; d < dim; d++) {
                        data[base + d] = (float) (signs[d] * (row[d] * norm));
                    }
                }
            }
        });
    }

    /** Unnormalised fast Walsh-Hadamard transform in place: {@code v = H v}, Sylvester order. */
    static void fwht(double[] v) {
        int n = v.length;
        for (int h = 1; h < n; h <<= 1) {
            for (int i = 0; i < n; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    double a = v[j], b = v[j + h];
                    v[j] = a + b;
                    v[j + h] = a - b;
                }
            }
        }
    }
}
