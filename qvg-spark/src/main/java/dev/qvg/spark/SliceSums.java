package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.metrics.ErrorAccumulator;
import dev.qvg.api.metrics.ErrorMetrics;

/**
 * The raw sums behind the error figures of a run of rows ({@link ErrorAccumulator}'s), kept in
 * the unit files so that figures of several heads, layers or prompts can be combined. One slice's
 * {@link #metrics()} are the same doubles as eval's for that slice; a combination of slices adds
 * their sums in slice order, which rounds differently from one running sum over a whole tensor in
 * the last bits.
 */
final class SliceSums {

    private final ErrorAccumulator acc;

    SliceSums(int rowLength) {
        this(new ErrorAccumulator(rowLength));
    }

    private SliceSums(ErrorAccumulator acc) {
        this.acc = acc;
    }

    /** Adds {@code length} values (whole rows) starting at {@code from} of both arrays. */
    void add(float[] reference, float[] approx, int from, int length) {
        acc.add(reference, approx, from, length);
    }

    /** Adds another run's sums after these (slice order). */
    void plus(SliceSums o) {
        acc.plus(o.acc);
    }

    double err2() {
        return acc.sums().err2();
    }

    double ref2() {
        return acc.sums().ref2();
    }

    /** The figures of everything added, by {@code ErrorAccumulator}'s formulas. */
    ErrorMetrics metrics() {
        return acc.result();
    }

    void write(ObjectNode o) {
        ErrorAccumulator.Sums s = acc.sums();
        Json.putDouble(o, "sum_sq_err", s.err2());
        Json.putDouble(o, "sum_sq_ref", s.ref2());
        Json.putDouble(o, "cosine_sum", s.cosSum());
        Json.putDouble(o, "cosine_min", s.cosMin());
        Json.putDouble(o, "max_abs_err", s.maxAbs());
        o.put("rows", s.rows());
        o.put("row_length", s.rowLength());
    }

    static SliceSums read(JsonNode o) {
        return new SliceSums(ErrorAccumulator.of(new ErrorAccumulator.Sums(Json.getDouble(o, "sum_sq_err"),
                Json.getDouble(o, "sum_sq_ref"), Json.getDouble(o, "cosine_sum"), Json.getDouble(o, "cosine_min"),
                Json.getDouble(o, "max_abs_err"), o.get("rows").asLong(), o.get("row_length").asInt())));
    }
}
