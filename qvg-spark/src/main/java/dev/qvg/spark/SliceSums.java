package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.metrics.ErrorMetrics;

/**
 * The raw sums behind the error figures of a run of rows, kept so that figures of several heads,
 * layers or prompts can be combined: squared error, squared reference, the sum and minimum of the
 * per-token cosines, the largest absolute error and the token count. Each slice's sums are
 * accumulated in the order of {@code ErrorAccumulator} (so one slice's {@link #metrics()} are the
 * same doubles as eval's for that slice); a combination of slices adds their sums in slice order,
 * which rounds differently from one running sum over a whole tensor in the last bits.
 */
final class SliceSums {

    double err2;
    double ref2;
    double cosSum;
    double cosMin = Double.POSITIVE_INFINITY;
    double maxAbs;
    long rows;
    private final int rowLength;

    SliceSums(int rowLength) {
        this.rowLength = rowLength;
    }

    /** Adds {@code length} values (whole rows) starting at {@code from} of both arrays. */
    void add(float[] reference, float[] approx, int from, int length) {
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

    /** Adds another run's sums after these (slice order). */
    void plus(SliceSums o) {
        err2 += o.err2;
        ref2 += o.ref2;
        cosSum += o.cosSum;
        cosMin = Math.min(cosMin, o.cosMin);
        if (o.maxAbs > maxAbs || o.maxAbs != o.maxAbs) {
            maxAbs = o.maxAbs;
        }
        rows += o.rows;
    }

    /** The figures of everything added, by {@code ErrorAccumulator}'s formulas. */
    ErrorMetrics metrics() {
        long values = rows * rowLength;
        double relL2 = ref2 == 0 ? (err2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(err2 / ref2);
        double snr = err2 == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(ref2 / err2);
        return new ErrorMetrics(err2 / values, relL2, snr, cosSum / rows, cosMin, maxAbs);
    }

    void write(ObjectNode o) {
        Json.putDouble(o, "sum_sq_err", err2);
        Json.putDouble(o, "sum_sq_ref", ref2);
        Json.putDouble(o, "cosine_sum", cosSum);
        Json.putDouble(o, "cosine_min", cosMin);
        Json.putDouble(o, "max_abs_err", maxAbs);
        o.put("rows", rows);
        o.put("row_length", rowLength);
    }

    static SliceSums read(JsonNode o) {
        SliceSums s = new SliceSums(o.get("row_length").asInt());
        s.err2 = Json.getDouble(o, "sum_sq_err");
        s.ref2 = Json.getDouble(o, "sum_sq_ref");
        s.cosSum = Json.getDouble(o, "cosine_sum");
        s.cosMin = Json.getDouble(o, "cosine_min");
        s.maxAbs = Json.getDouble(o, "max_abs_err");
        s.rows = o.get("rows").asLong();
        return s;
    }
}
