package dev.qvg.api.metrics;

/**
 * Tensor-level error of a reconstruction (spec section 10), accumulated in double precision.
 * Cosine is per token (row of {@code rowLength} values); a row that is zero in both has cosine
 * 1, a row zero in only one has cosine 0. {@link ErrorAccumulator} computes it a run of rows at a
 * time (the same sums in the same order).
 */
public record ErrorMetrics(double mse, double relL2, double snrDb, double cosineMean, double cosineMin, double maxAbs) {

    public static ErrorMetrics compare(float[] reference, float[] approx, int rowLength) {
        if (reference.length != approx.length) {
            throw new IllegalArgumentException("metrics: reference has " + reference.length + " values, approximation "
                    + approx.length);
        }
        if (rowLength <= 0 || reference.length % rowLength != 0 || reference.length == 0) {
            throw new IllegalArgumentException("metrics: row length " + rowLength + " does not divide " + reference.length);
        }
        ErrorAccumulator acc = new ErrorAccumulator(rowLength);
        acc.add(reference, approx, reference.length);
        return acc.result();
    }
}
