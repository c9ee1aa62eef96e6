package dev.qvg.smoothing;

import dev.qvg.api.reference.ReferenceKernels;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Random;

/** Seeded test inputs and the checks several tests share. */
final class TestData {

    private TestData() {
    }

    static float[] gaussian(long seed, int count) {
        Random r = new Random(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Sum over rows of the squared distance (double) to the assigned centroid, per slice. */
    static double[] objective(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids) {
        int S = b.tokens(), D = b.dim();
        double[] out = new double[b.slices()];
        for (int row = 0; row < b.rows(); row++) {
            int i = row / S;
            int c = (i * clusters + ids[row]) * D;
            double sum = 0;
            for (int d = 0; d < D; d++) {
                double diff = (double) points[row * D + d] - centroids[c + d];
                sum += diff * diff;
            }
            out[i] += sum;
        }
        return out;
    }

    /** The nearest centroid as the reference kernel computes it (ties to the lowest index). */
    static int nearest(SliceBatch b, float[] points, int row, float[] centroids, int clusters) {
        int i = row / b.tokens();
        return ReferenceKernels.nearest(points, row * b.dim(), centroids, i * clusters * b.dim(), clusters, b.dim());
    }
}
