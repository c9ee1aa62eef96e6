package dev.qvg.bench.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The repetitions of one tool on one input, reduced to best and median: the best is what the
 * code can do on this machine, the median how far other load moved it. Failed repetitions are
 * counted but take no part in the figures.
 *
 * @param row      the input's row key ({@code layer}, {@code multi})
 * @param label    the input in words
 * @param tool     {@link RunRecord#BASELINE} or {@link RunRecord#QVG}
 * @param inputBytes size of the input file
 * @param ok       the repetitions that exited 0, in run order
 * @param failed   how many did not
 * @param outputBytes size of a successful run's output file (0 if none succeeded)
 */
public record ToolSummary(String row, String label, String tool, long inputBytes, List<ProcessStats> ok, int failed,
                          long outputBytes) {

    public ToolSummary {
        ok = List.copyOf(ok);
    }

    public boolean anyOk() {
        return !ok.isEmpty();
    }

    public double bestWall() {
        return min(ok.stream().mapToDouble(ProcessStats::wallSeconds).toArray());
    }

    public double medianWall() {
        return median(ok.stream().mapToDouble(ProcessStats::wallSeconds).toArray());
    }

    public double bestRss() {
        return min(ok.stream().mapToDouble(ProcessStats::maxRssBytes).toArray());
    }

    public double medianRss() {
        return median(ok.stream().mapToDouble(ProcessStats::maxRssBytes).toArray());
    }

    public double medianCpu() {
        return median(ok.stream().mapToDouble(ProcessStats::cpuSeconds).toArray());
    }

    /** Input bytes per second of wall time in the best run. */
    public double bestThroughput() {
        return inputBytes / bestWall();
    }

    /** Groups run records by (row, tool) in the order they first appear. */
    public static List<ToolSummary> of(List<RunRecord> runs, java.util.function.Function<RunRecord, ProcessStats> stats) {
        List<ToolSummary> out = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (RunRecord r : runs) {
            String key = r.row() + "\u0000" + r.tool();
            if (keys.contains(key)) {
                continue;
            }
            keys.add(key);
            List<ProcessStats> ok = new ArrayList<>();
            int failed = 0;
            long outBytes = 0;
            for (RunRecord s : runs) {
                if (!s.row().equals(r.row()) || !s.tool().equals(r.tool())) {
                    continue;
                }
                ProcessStats p = stats.apply(s);
                if (p.succeeded()) {
                    ok.add(p);
                    outBytes = s.outputBytes();
                } else {
                    failed++;
                }
            }
            out.add(new ToolSummary(r.row(), r.label(), r.tool(), r.inputBytes(), ok, failed, outBytes));
        }
        return out;
    }

    static double min(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).min().getAsDouble();
    }

    /** The middle value; the mean of the two middle ones for an even count; NaN for none. */
    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
