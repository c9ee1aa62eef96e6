package dev.qvg.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one {@link ConformanceRunner} run: one entry per test (and per test container
 * that failed before its tests could run), in execution order.
 *
 * @param kind       what was checked: {@code backend}, {@code clusterer}, {@code smoother},
 *                   {@code residual} or {@code method}
 * @param backend    the provider's name (a backend's as it reported it, or the label given to the runner)
 * @param seed       the master seed the run used; pass it back to repeat the run
 * @param multiplier the size multiplier the run used
 */
public record ConformanceReport(String kind, String backend, long seed, double multiplier, List<Entry> entries,
                                Duration elapsed) {

    public ConformanceReport {
        entries = List.copyOf(entries);
    }

    /** The report of a backend run. */
    public ConformanceReport(String backend, long seed, double multiplier, List<Entry> entries, Duration elapsed) {
        this("backend", backend, seed, multiplier, entries, elapsed);
    }

    public enum Status { PASSED, FAILED, SKIPPED }

    /**
     * @param group   the kit group, e.g. {@code block quantization}
     * @param test    the test and, for parameterized tests, its case
     * @param message failure message or skip reason; empty when passed
     */
    public record Entry(String group, String test, Status status, String message) {
    }

    /** True when at least one test ran and none failed. */
    public boolean passed() {
        return count(Status.FAILED) == 0 && count(Status.PASSED) > 0;
    }

    public long count(Status s) {
        return entries.stream().filter(e -> e.status() == s).count();
    }

    public List<Entry> failures() {
        return entries.stream().filter(e -> e.status() == Status.FAILED).toList();
    }

    /** Entries whose test name contains {@code fragment}. */
    public List<Entry> find(String fragment) {
        return entries.stream().filter(e -> e.test().contains(fragment)).toList();
    }

    /** The pass/fail table {@code qvg conformance} prints. */
    public String table() {
        Map<String, long[]> groups = new LinkedHashMap<>();
        for (Entry e : entries) {
            groups.computeIfAbsent(e.group(), g -> new long[3])[e.status().ordinal()]++;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "qvg conformance: %s '%s', seed %s, multiplier %s, %.1f s%n",
                kind, backend, TckSettings.formatSeed(seed), multiplier, elapsed.toMillis() / 1000.0));
        String row = "%-28s %7s %7s %7s  %s%n";
        sb.append(String.format(Locale.ROOT, row, "GROUP", "PASSED", "FAILED", "SKIPPED", "RESULT"));
        long[] total = new long[3];
        for (var g : groups.entrySet()) {
            long[] c = g.getValue();
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
            sb.append(String.format(Locale.ROOT, row, g.getKey(), c[0], c[1], c[2], c[1] == 0 ? "pass" : "FAIL"));
        }
        sb.append(String.format(Locale.ROOT, row, "TOTAL", total[0], total[1], total[2], passed() ? "PASS" : "FAIL"));
        List<String> lines = new ArrayList<>();
        for (Entry e : entries) {
            if (e.status() != Status.PASSED) {
                lines.add(String.format(Locale.ROOT, "  %s [%s] %s: %s", e.status() == Status.FAILED ? "FAILED " : "SKIPPED",
                        e.group(), e.test(), firstLine(e.message())));
            }
        }
        if (!lines.isEmpty()) {
            sb.append("Not passed:\n");
            lines.forEach(l -> sb.append(l).append('\n'));
        }
        if (!passed()) {
            sb.append("Reproduce with -D").append(TckSettings.SEED).append('=').append(TckSettings.formatSeed(seed)).append('\n');
        }
        return sb.toString();
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        String s = m.lines().findFirst().orElse("");
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
