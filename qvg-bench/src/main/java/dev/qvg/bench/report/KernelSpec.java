package dev.qvg.bench.report;

import java.util.Objects;
import java.util.function.Function;

/**
 * What the report knows about one benchmark method: its title, the limit it is compared with,
 * the work one operation does as a function of the row's parameters, and the known reason it can
 * fall short of the limit (the report adds the measured evidence).
 *
 * @param key    {@code SimpleClass.method} as in {@link BenchResult#shortName()}
 * @param title  a human name for tables and the plot
 * @param bound  the limit the figure is a fraction of
 * @param work   work per operation for a result row
 * @param cause  why this kernel may run below its limit, from how it is built
 */
public record KernelSpec(String key, String title, Bound bound, Function<BenchResult, Work> work, String cause) {

    public KernelSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(bound, "bound");
        Objects.requireNonNull(work, "work");
        cause = cause == null ? "" : cause;
    }

    public boolean isLimit() {
        return bound == Bound.LIMIT_MEMORY || bound == Bound.LIMIT_FLOPS;
    }
}
