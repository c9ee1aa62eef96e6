package dev.qvg.bench.report;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One JMH result row (one benchmark method with one parameter combination), as read from JMH's
 * JSON result file ({@code -rf json}).
 *
 * @param benchmark  fully qualified {@code Class.method}
 * @param mode       JMH mode: {@code avgt}, {@code ss}, {@code thrpt} or {@code sample}
 * @param params     the {@code @Param} values of this row
 * @param score      primary metric in {@code unit}
 * @param error      the 99.9% half-interval JMH reports, NaN with a single iteration
 * @param unit       e.g. {@code ms/op} or {@code ops/s}
 * @param settings   warm-up and measurement settings, for the report's header
 * @param secondary  secondary metrics by name (e.g. {@code gc.alloc.rate.norm} in B/op from
 *                   {@code -prof gc}), scores in their own units
 * @param secondaryRaw per-iteration values of each secondary metric (JMH sums event counters
 *                   over iterations in the score, so a per-call maximum needs these)
 */
public record BenchResult(String benchmark, String mode, Map<String, String> params, double score, double error,
                          String unit, RunSettings settings, Map<String, Double> secondary,
                          Map<String, java.util.List<Double>> secondaryRaw) {

    /** Key of the primary metric's per-iteration values in {@code secondaryRaw}. */
    public static final String PRIMARY_RAW = "primary.rawData";

    /** JMH's GC profiler: bytes allocated per operation. */
    public static final String ALLOC_NORM = "gc.alloc.rate.norm";

    public BenchResult {
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(settings, "settings");
        params = Map.copyOf(params == null ? Map.of() : params);
        secondary = Map.copyOf(secondary == null ? Map.of() : secondary);
        Map<String, java.util.List<Double>> raw = new java.util.HashMap<>();
        if (secondaryRaw != null) {
            secondaryRaw.forEach((k, v) -> raw.put(k, java.util.List.copyOf(v)));
        }
        secondaryRaw = Map.copyOf(raw);
        if (!(score > 0) || Double.isInfinite(score)) {
            throw new IllegalArgumentException("benchmark " + benchmark + ": score must be positive and finite, got " + score);
        }
    }

    /** {@code SimpleClass.method}, the key the work model knows benchmarks by. */
    public String shortName() {
        String[] parts = benchmark.split("\\.");
        if (parts.length < 2) {
            return benchmark;
        }
        return parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    /** The parameter {@code name}, or {@code null} when this benchmark has none of that name. */
    public String param(String name) {
        return params.get(name);
    }

    /** An integer parameter, failing with the benchmark's name when it is missing or malformed. */
    public int intParam(String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException("benchmark " + benchmark + " has no parameter '" + name + "' (params "
                    + params + ")");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("benchmark " + benchmark + ": parameter '" + name + "' is not an integer: '"
                    + v + "'", e);
        }
    }

    /** An integer parameter, or {@code fallback} when the benchmark has no such parameter. */
    public int intParam(String name, int fallback) {
        return params.containsKey(name) ? intParam(name) : fallback;
    }

    /** Seconds one operation took, whatever unit and mode JMH reported it in. */
    public double secondsPerOp() {
        String u = unit.trim().toLowerCase(Locale.ROOT);
        String[] parts = u.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("benchmark " + benchmark + ": unsupported unit '" + unit + "'");
        }
        if (parts[1].equals("op")) {
            return score * seconds(parts[0]);
        }
        if (parts[0].equals("ops")) {
            return seconds(parts[1]) / score;
        }
        throw new IllegalArgumentException("benchmark " + benchmark + ": unsupported unit '" + unit + "'");
    }

    /**
     * Seconds one operation took in the fastest measured iteration (time-per-operation units
     * only; otherwise, or without per-iteration values, {@link #secondsPerOp()}). For a limit of
     * the machine, whose measurement only ever gets slower from outside disturbance.
     */
    public double bestSecondsPerOp() {
        java.util.List<Double> raw = secondaryRaw.get(PRIMARY_RAW);
        if (raw == null || raw.isEmpty() || !unit.trim().toLowerCase(Locale.ROOT).endsWith("/op")) {
            return secondsPerOp();
        }
        // Iterations are in the score's unit: scale the mean's seconds by the fastest one.
        double best = raw.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).min().orElse(score);
        return secondsPerOp() * best / score;
    }

    private double seconds(String timeUnit) {
        return switch (timeUnit) {
            case "s" -> 1.0;
            case "ms" -> 1e-3;
            case "us", "\u00b5s" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60.0;
            default -> throw new IllegalArgumentException("benchmark " + benchmark + ": unsupported time unit '" + timeUnit
                    + "' in '" + unit + "'");
        };
    }

    /**
     * Bytes allocated on the Java heap per operation (JMH's {@code -prof gc}), NaN when the run
     * had no GC profiler. Native (ND4J) buffers are not counted.
     */
    public double allocatedBytesPerOp() {
        Double v = secondary.get(ALLOC_NORM);
        if (v == null) {
            // JMH before 1.30 prefixed profiler metrics with a middle dot.
            v = secondary.get("\u00b7" + ALLOC_NORM);
        }
        return v == null ? Double.NaN : v;
    }

    /** A secondary metric's score, NaN when the row has none of that name. */
    public double secondaryMetric(String name) {
        Double v = secondary.get(name);
        return v == null ? Double.NaN : v;
    }

    /**
     * The largest per-iteration value of a secondary metric (for counters JMH sums over
     * iterations, such as a peak recorded per iteration); NaN when absent.
     */
    public double secondaryMaxPerIteration(String name) {
        java.util.List<Double> v = secondaryRaw.get(name);
        if (v == null || v.isEmpty()) {
            return Double.NaN;
        }
        return v.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
    }

    /** Relative error of the score (error / score), NaN when JMH gave none. */
    public double relativeError() {
        return error / score;
    }
}
