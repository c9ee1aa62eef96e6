package dev.qvg.residual;

import java.util.Arrays;

/**
 * The clipping of {@code rtn-clip}: each block of {@code blockSize} consecutive values along a
 * row is clamped to {@code [-t, t]}, where {@code t} is the {@code p}-th percentile of the
 * block's absolute values.
 *
 * <p>Percentile definition (numpy's and {@code torch.quantile}'s default, "linear"): with the
 * block's {@code |x|} sorted ascending as {@code a[0..b-1]}, {@code h = p/100 * (b - 1)} and
 * {@code t = a[floor(h)] + (h - floor(h)) * (a[floor(h)+1] - a[floor(h)])}, computed in double
 * and rounded to float. So {@code p = 100} clips nothing, and for block 64 and {@code p = 99}
 * only values above an interpolation between the two largest magnitudes are clipped.
 */
final class PercentileClip {

    private PercentileClip() {
    }

    /** Clips every block of a row-major matrix with rows of {@code cols} values, in place. */
    static void clipBlocks(float[] x, int cols, int blockSize, double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("clipPercentile: must be in (0, 100], got " + percentile);
        }
        if (cols % blockSize != 0) {
            throw new IllegalArgumentException("blockSize: row length " + cols + " is not a multiple of block size "
                    + blockSize);
        }
        float[] sorted = new float[blockSize];
        for (int from = 0; from < x.length; from += blockSize) {
            for (int i = 0; i < blockSize; i++) {
                sorted[i] = Math.abs(x[from + i]);
            }
            Arrays.sort(sorted);
            float t = threshold(sorted, percentile);
            for (int i = from; i < from + blockSize; i++) {
                x[i] = Math.max(-t, Math.min(t, x[i]));
            }
        }
    }

    /** The linear-interpolation percentile of ascending {@code sorted}. */
    static float threshold(float[] sorted, double percentile) {
        double h = percentile / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        if (lo >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        double frac = h - lo;
        return (float) (sorted[lo] + frac * ((double) sorted[lo + 1] - sorted[lo]));
    }
}
