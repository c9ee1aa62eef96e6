package dev.qvg.api.metrics;

/**
 * Tensor-level error of a reconstruction (spec section 10), accumulated in double precision.
 * Cosine is per token (row of {@code rowLength} values); a row that is zero in both has cosine
 * 1, a row zero in only one has cosine 0.
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
        double err2 = 0, ref2 = 0, maxAbs = 0, cosSum = 0, cosMin = Double.POSITIVE_INFINITY;
        int rows = reference.length / rowLength;
        for (int r = 0; r < rows; r++) {
            double dot = 0, na = 0, nb = 0;
            for (int i = r * rowLength, e = i + rowLength; i < e; i++) {
                double a = reference[i], b = approx[i], d = a - b;
                err2 += d * d;
                ref2 += a * a;
                dot += a * b;
                na += a * a;
                nb += b * b;
                maxAbs = Math.max(maxAbs, Math.abs(d));
            }
            double cos = (na == 0 && nb == 0) ? 1.0 : (na == 0 || nb == 0) ? 0.0 : dot / Math.sqrt(na * nb);
            cosSum += cos;
            cosMin = Math.min(cosMin, cos);
        }
        double relL2 = ref2 == 0 ? (err2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(err2 / ref2);
        double snr = err2 == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(ref2 / err2);
        return new ErrorMetrics(err2 / reference.length, relL2, snr, cosSum / rows, cosMin, maxAbs);
    }
}
