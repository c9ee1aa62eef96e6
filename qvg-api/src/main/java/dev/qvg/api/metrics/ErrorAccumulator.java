package dev.qvg.api.metrics;


/**
 * The sums behind {@link ErrorMetrics}, fed a run of rows at a time: a tensor streamed group of
 * slices by group gets exactly the figures of comparing it whole ({@link ErrorMetrics#compare} is
 * one call of this). Groups must be added in row order.
 */
public final class ErrorAccumulator {

    private final int rowLength;
    private double err2;
    private double ref2;
    private double maxAbs;
    private double cosSum;
    private double cosMin = Double.POSITIVE_INFINITY;
    private long rows;

    public ErrorAccumulator(int rowLength) {
        if (rowLength <= 0) {
            throw new IllegalArgumentException("metrics: row length must be positive, got " + rowLength);
        }
        this.rowLength = rowLength;
    }

    /** Adds the first {@code length} values (whole rows) of {@code reference} and {@code approx}. */
    public void add(float[] reference, float[] approx, int length) {
        add(reference, approx, 0, length);
    }

    /** Adds {@code length} values (whole rows) of both arrays starting at {@code from}. */
    public void add(float[] reference, float[] approx, int from, int length) {
        if (from < 0 || length < 0 || length % rowLength != 0 || (long) from + length > reference.length
                || (long) from + length > approx.length) {
            throw new IllegalArgumentException("metrics: " + length + " values from " + from + " are not whole rows of "
                    + rowLength + " within arrays of " + reference.length + " and " + approx.length);
        }
        for (int r = 0, n = length / rowLength; r < n; r++) {
            double dot = 0, na = 0, nb = 0;
            for (int i = from + r * rowLength, e = i + rowLength; i < e; i++) {
                double a = reference[i], b = approx[i], d = a - b;
                err2 += d * d;
                ref2 += a * a;
                dot += a * b;
                na += a * a;
                nb += b * b;
                double ad = Math.abs(d);
                // Math.max(maxAbs, ad) without putting a max on the loop's dependency chain: the
                // same result (a NaN sticks once seen; abs never gives -0.0), a rarely taken branch.
                if (ad > maxAbs || ad != ad) {
                    maxAbs = ad;
                }
            }
            double cos = (na == 0 && nb == 0) ? 1.0 : (na == 0 || nb == 0) ? 0.0 : dot / Math.sqrt(na * nb);
            cosSum += cos;
            cosMin = Math.min(cosMin, cos);
        }
        rows += length / rowLength;
    }

    /**
     * The raw sums, so that figures of several runs (heads, layers, files) can be combined later
     * ({@link #of}, {@link #plus}): squared error and reference, the per-row cosines' sum and
     * minimum, the largest absolute error, the rows added and their length.
     */
    public record Sums(double err2, double ref2, double cosSum, double cosMin, double maxAbs, long rows,
                       int rowLength) {
    }

    public Sums sums() {
        return new Sums(err2, ref2, cosSum, cosMin, maxAbs, rows, rowLength);
    }

    /** An accumulator holding {@code s} (sums read back from a file, say). */
    public static ErrorAccumulator of(Sums s) {
        ErrorAccumulator a = new ErrorAccumulator(s.rowLength());
        a.err2 = s.err2();
        a.ref2 = s.ref2();
        a.cosSum = s.cosSum();
        a.cosMin = s.cosMin();
        a.maxAbs = s.maxAbs();
        a.rows = s.rows();
        return a;
    }

    /**
     * Adds another accumulator's sums after these. Run after run this gives the figures of the
     * whole to rounding: one running sum over everything may differ in the last bits.
     */
    public void plus(ErrorAccumulator o) {
        if (o.rowLength != rowLength) {
            throw new IllegalArgumentException("metrics: rows of " + o.rowLength + " cannot join rows of " + rowLength);
        }
        err2 += o.err2;
        ref2 += o.ref2;
        cosSum += o.cosSum;
        cosMin = Math.min(cosMin, o.cosMin);
        if (o.maxAbs > maxAbs || o.maxAbs != o.maxAbs) {
            maxAbs = o.maxAbs;
        }
        rows += o.rows;
    }

    /** The metrics of everything added. */
    public ErrorMetrics result() {
        if (rows == 0) {
            throw new IllegalStateException("metrics: nothing was added");
        }
        long values = rows * rowLength;
        double relL2 = ref2 == 0 ? (err2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(err2 / ref2);
        double snr = err2 == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(ref2 / err2);
        return new ErrorMetrics(err2 / values, relL2, snr, cosSum / rows, cosMin, maxAbs);
    }
}
