package dev.qvg.bench.report;

import java.util.Objects;

/**
 * One benchmark row turned into a rate and a fraction of its limit.
 *
 * @param rate     bytes/s for memory-bound rows, FLOP/s for arithmetic rows
 * @param limit    the limit in the same unit, NaN when the run measured none
 * @param fraction {@code rate / limit}, NaN without a limit
 */
public record Figure(BenchResult result, KernelSpec spec, Work work, double seconds, double rate, double limit,
                     double fraction) {

    /** Fractions below this are flagged in the report. */
    public static final double FLAG_BELOW = 0.30;

    public Figure {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(work, "work");
    }

    public String backend() {
        String b = result.param("backend");
        return b == null ? "-" : b;
    }

    /** Tokens per slice, or -1 for benchmarks without an S parameter. */
    public int s() {
        return result.intParam("S", -1);
    }

    /** Backend (or limit) worker threads; 1 when the benchmark has no thread parameter. */
    public int threads() {
        return result.intParam("threads", 1);
    }

    public boolean memoryBound() {
        return spec.bound() == Bound.MEMORY || spec.bound() == Bound.LIMIT_MEMORY;
    }

    public boolean flagged() {
        return !spec.isLimit() && Double.isFinite(fraction) && fraction < FLAG_BELOW;
    }

    /** Tokens per second, NaN for benchmarks not about tokens. */
    public double tokensPerSecond() {
        return work.tokens() > 0 ? work.tokens() / seconds : Double.NaN;
    }

    /** The parameters other than S and threads, for grouping rows that differ only in those. */
    public String otherParams() {
        StringBuilder sb = new StringBuilder();
        result.params().entrySet().stream()
                .filter(e -> !e.getKey().equals("S") && !e.getKey().equals("threads"))
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> sb.append(e.getKey()).append('=').append(e.getValue()).append(' '));
        return sb.toString().trim();
    }
}
