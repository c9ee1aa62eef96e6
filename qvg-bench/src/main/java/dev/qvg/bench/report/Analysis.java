package dev.qvg.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Everything the report computes from a set of JMH results: each row's rate and fraction of its
 * limit, the scaling with the token count S and with the thread count, and the reason a row is
 * flagged (its kernel's known cause plus the measured thread scaling as evidence).
 */
public final class Analysis {

    /** Speed-up from 1 to 2 threads above which a kernel counts as bound by instructions, not the bus. */
    static final double SCALES_WELL = 1.5;
    /** Speed-up below which a second thread made things slower beyond noise. */
    static final double NO_GAIN = 0.9;

    private final Limits limits;
    private final List<Figure> figures;
    private final List<BenchResult> unknown;

    private Analysis(Limits limits, List<Figure> figures, List<BenchResult> unknown) {
        this.limits = limits;
        this.figures = figures;
        this.unknown = unknown;
    }

    public static Analysis of(List<BenchResult> results) {
        Limits limits = Limits.from(results);
        List<Figure> figs = new ArrayList<>();
        List<BenchResult> unknown = new ArrayList<>();
        List<String> order = WorkModel.specs().stream().map(KernelSpec::key).toList();
        for (BenchResult r : results) {
            KernelSpec spec = WorkModel.spec(r).orElse(null);
            if (spec == null) {
                unknown.add(r);
                continue;
            }
            Work w = spec.work().apply(r);
            double sec = r.secondsPerOp();
            boolean mem = spec.bound() == Bound.MEMORY || spec.bound() == Bound.LIMIT_MEMORY;
            double rate = (mem ? w.bytes() : w.flops()) / sec;
            double limit = mem ? limits.bandwidth() : limits.flops(r.intParam("S", -1));
            figs.add(new Figure(r, spec, w, sec, rate, limit, rate / limit));
        }
        figs.sort(Comparator.comparingInt((Figure f) -> order.indexOf(f.spec().key()))
                .thenComparing(Figure::backend)
                .thenComparing(Figure::otherParams)
                .thenComparingInt(Figure::s)
                .thenComparingInt(Figure::threads));
        return new Analysis(limits, List.copyOf(figs), List.copyOf(unknown));
    }

    public Limits limits() {
        return limits;
    }

    public List<Figure> figures() {
        return figures;
    }

    /** Rows of benchmarks the work model does not know (listed in the report without a fraction). */
    public List<BenchResult> unknown() {
        return unknown;
    }

    /** Rows that differ only in their thread count, grouped; keys in report order. */
    public Map<String, Map<Integer, Figure>> byThreads() {
        Map<String, Map<Integer, Figure>> m = new LinkedHashMap<>();
        // Values are TreeMaps (sorted by thread count); threadGroup relies on it.
        for (Figure f : figures) {
            String key = f.spec().key() + "|" + f.backend() + "|" + f.otherParams() + "|" + f.s();
            m.computeIfAbsent(key, k -> new TreeMap<>()).put(f.threads(), f);
        }
        return m;
    }

    /** Rows that differ only in S, grouped; keys in report order, values sorted by S. */
    public Map<String, Map<Integer, Figure>> byS() {
        Map<String, Map<Integer, Figure>> m = new LinkedHashMap<>();
        for (Figure f : figures) {
            if (f.s() < 0) {
                continue;
            }
            String key = f.spec().key() + "|" + f.backend() + "|" + f.otherParams() + "|" + f.threads();
            m.computeIfAbsent(key, k -> new TreeMap<>()).put(f.s(), f);
        }
        return m;
    }

    /** Time ratio of the fewest to the most threads measured for this row's group; NaN with one count. */
    public double threadSpeedup(Figure f) {
        TreeMap<Integer, Figure> g = threadGroup(f);
        if (g == null || g.size() < 2) {
            return Double.NaN;
        }
        return g.firstEntry().getValue().seconds() / g.lastEntry().getValue().seconds();
    }

    /**
     * The growth exponent of time with S between two measured sizes: {@code log(t2/t1) / log(S2/S1)}
     * (1 = linear, 2 = quadratic).
     */
    public static double exponent(Figure small, Figure large) {
        return Math.log(large.seconds() / small.seconds()) / Math.log((double) large.s() / small.s());
    }

    /**
     * Seconds per operation of {@code key} at {@code s} tokens, interpolated (or extrapolated) as a
     * power law through the two measured sizes nearest {@code s}, for the most threads measured.
     */
    public OptionalDouble secondsAt(String key, String backend, double s) {
        TreeMap<Integer, Figure> best = null;
        int bestThreads = -1;
        for (Figure f : figures) {
            if (!f.spec().key().equals(key) || !f.backend().equals(backend) || f.s() < 0) {
                continue;
            }
            if (f.threads() > bestThreads) {
                bestThreads = f.threads();
                best = new TreeMap<>();
            }
            if (f.threads() == bestThreads) {
                best.put(f.s(), f);
            }
        }
        if (best == null || best.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (best.size() == 1) {
            Figure only = best.firstEntry().getValue();
            return OptionalDouble.of(only.seconds() * s / only.s());
        }
        // The bracketing pair, or the two nearest ends when s lies outside the measured sizes.
        Integer lo = best.floorKey((int) Math.min(Integer.MAX_VALUE, Math.round(s)));
        if (lo == null) {
            lo = best.firstKey();
        } else if (lo.equals(best.lastKey())) {
            lo = best.lowerKey(lo);
        }
        Integer hi = best.higherKey(lo);
        Figure a = best.get(lo), b = best.get(hi);
        double e = exponent(a, b);
        return OptionalDouble.of(a.seconds() * Math.pow(s / a.s(), e));
    }

    /** Why a flagged row is below 30%: the kernel's known cause and what the run measured. */
    public String reason(Figure f) {
        List<String> measured = new ArrayList<>();
        double share = kmeansShare(f);
        if (Double.isFinite(share)) {
            measured.add(String.format(Locale.ROOT, "its %.0f k-means iterations at the k-means benchmark's speed "
                    + "account for %.0f%% of its time", f.work().flops() / WorkModel.distanceFlops(f.s()), share * 100));
        }
        double sp = threadSpeedup(f);
        if (Double.isFinite(sp)) {
            TreeMap<Integer, Figure> g = threadGroup(f);
            String pair = g.lastKey() + " threads run it";
            String vs = " than " + g.firstKey();
            double copySp = limitSpeedup(Bound.LIMIT_MEMORY, -1);
            String copy = f.memoryBound() && Double.isFinite(copySp)
                    ? String.format(Locale.ROOT, " (the copy limit: x%.2f)", copySp) : "";
            if (sp >= SCALES_WELL) {
                measured.add(String.format(Locale.ROOT, "%s x%.2f faster%s%s, so it is bound by %s", pair, sp, vs, copy,
                        f.memoryBound() ? "instructions per value, not by the memory bus"
                                : "its own instruction throughput, not by a serial part"));
            } else if (sp >= NO_GAIN) {
                measured.add(String.format(Locale.ROOT, "%s only x%.2f faster%s%s, so a serial part or the memory bus "
                        + "holds it back", pair, sp, vs, copy));
            } else {
                measured.add(String.format(Locale.ROOT, "%s slower%s (x%.2f)%s: for a kernel with parallel work that "
                        + "means other load on the machine decided this pair of measurements", pair, vs, sp, copy));
            }
        }
        String cause = f.spec().cause();
        if (measured.isEmpty()) {
            return cause;
        }
        return (cause.isEmpty() ? "" : cause + ". ") + "Measured: " + String.join("; ", measured);
    }

    private TreeMap<Integer, Figure> threadGroup(Figure f) {
        String key = f.spec().key() + "|" + f.backend() + "|" + f.otherParams() + "|" + f.s();
        return (TreeMap<Integer, Figure>) byThreads().get(key);
    }

    /**
     * For a compression row, the share of its time that its k-means iterations take at the speed
     * the k-means iteration benchmark measured (same backend, S and threads); NaN otherwise.
     */
    double kmeansShare(Figure f) {
        if (!f.spec().key().startsWith("CompressBenchmark.")) {
            return Double.NaN;
        }
        for (Figure g : figures) {
            if (g.spec().key().equals("KMeansBenchmark.iteration") && g.backend().equals(f.backend()) && g.s() == f.s()
                    && g.threads() == f.threads()) {
                double iterations = f.work().flops() / WorkModel.distanceFlops(f.s());
                return iterations * g.seconds() / f.seconds();
            }
        }
        return Double.NaN;
    }

    /** 1-to-N thread speed-up of a limit benchmark (at S, or the largest S when {@code s < 0}). */
    double limitSpeedup(Bound bound, int s) {
        for (Map.Entry<String, Map<Integer, Figure>> e : byThreads().entrySet()) {
            Map<Integer, Figure> g = e.getValue();
            Figure any = g.values().iterator().next();
            if (any.spec().bound() == bound && (s < 0 || any.s() == s) && g.size() >= 2) {
                return threadSpeedup(any);
            }
        }
        return Double.NaN;
    }
}
