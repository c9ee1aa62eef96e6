package dev.qvg.bench.report;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The machine's limits measured in the same run: memory-copy bandwidth (bytes read plus written
 * per second) and SGEMM FLOP/s of the k-means shape per token count. The limit a kernel is
 * compared with is the best any thread count reached: the machine's, not one thread's.
 */
public final class Limits {

    private final double bandwidth;
    private final Map<Integer, Double> flopsByS;

    private Limits(double bandwidth, Map<Integer, Double> flopsByS) {
        this.bandwidth = bandwidth;
        this.flopsByS = flopsByS;
    }

    /** The limits found among {@code results} (NaN where the run did not measure one). */
    public static Limits from(List<BenchResult> results) {
        double bw = Double.NaN;
        Map<Integer, Double> flops = new TreeMap<>();
        for (BenchResult r : results) {
            KernelSpec spec = WorkModel.spec(r).orElse(null);
            if (spec == null) {
                continue;
            }
            double sec = r.secondsPerOp();
            if (spec.bound() == Bound.LIMIT_MEMORY) {
                // The fastest copy iteration: on a shared VM the copy drifts by up to 2x within one
                // JVM (4.1 to 7.4 ms per 128 MiB in three seconds) while the kernels do not; a
                // higher limit only makes every fraction smaller.
                double rate = spec.work().apply(r).bytes() / r.bestSecondsPerOp();
                bw = Double.isNaN(bw) ? rate : Math.max(bw, rate);
            } else if (spec.bound() == Bound.LIMIT_FLOPS) {
                double rate = spec.work().apply(r).flops() / sec;
                flops.merge(r.intParam("S"), rate, Math::max);
            }
        }
        return new Limits(bw, flops);
    }

    /** Best measured copy bandwidth, bytes per second; NaN when not measured. */
    public double bandwidth() {
        return bandwidth;
    }

    /**
     * Best SGEMM FLOP/s at {@code s} tokens; at another S (the nearest measured) when {@code s}
     * was not run; NaN when no SGEMM was measured.
     */
    public double flops(int s) {
        if (flopsByS.isEmpty()) {
            return Double.NaN;
        }
        Double exact = flopsByS.get(s);
        if (exact != null) {
            return exact;
        }
        int best = flopsByS.keySet().iterator().next();
        for (int k : flopsByS.keySet()) {
            if (Math.abs(Math.log((double) k / s)) < Math.abs(Math.log((double) best / s))) {
                best = k;
            }
        }
        return flopsByS.get(best);
    }

    /** Best SGEMM FLOP/s over every measured S; NaN when none. */
    public double peakFlops() {
        return flopsByS.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    public Map<Integer, Double> flopsByS() {
        return Map.copyOf(flopsByS);
    }
}
