package dev.qvg.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns JMH JSON results into {@code docs/performance.md} and its plots.
 *
 * <pre>
 * java -cp qvg-bench/target/benchmarks.jar dev.qvg.bench.report.PerformanceReport \
 *     [--out docs/performance.md] [--date TEXT] [--note TEXT] [--command TEXT] results.json [more.json ...]
 * </pre>
 * Plots are written next to the report. Several result files are merged (the script runs the
 * long compression benchmarks with their own settings). A real-job report found next to the
 * output ({@value #LAYER_REPORT}, from {@code scripts/layer-bench.sh}) supplies that section's
 * measured tables.
 */
public final class PerformanceReport {

    /** File name of the real-job report that {@code layer-bench.sh} publishes next to this one. */
    public static final String LAYER_REPORT = "performance-layer.md";

    private PerformanceReport() {
    }

    /** Parsed command line. */
    record Args(Path out, String date, String note, String command, List<Path> inputs) {
    }

    public static void main(String[] argv) {
        Args args;
        try {
            args = parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("performance report: " + e.getMessage());
            System.err.println("usage: PerformanceReport [--out FILE.md] [--date TEXT] [--note TEXT] [--command TEXT] "
                    + "RESULTS.json [MORE.json ...]");
            System.exit(2);
            return;
        }
        try {
            Path written = generate(args);
            System.out.println("wrote " + written);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            System.err.println("performance report: " + e.getMessage());
            System.exit(1);
        }
    }

    static Args parse(String[] argv) {
        Path out = Path.of("docs", "performance.md");
        String date = null, note = "", command = "";
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "--out" -> out = Path.of(value(argv, ++i, a));
                case "--date" -> date = value(argv, ++i, a);
                case "--note" -> note = value(argv, ++i, a);
                case "--command" -> command = value(argv, ++i, a);
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    inputs.add(Path.of(a));
                }
            }
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no JMH result file given (run JMH with -rf json -rff FILE)");
        }
        if (date == null) {
            date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        }
        return new Args(out, date, note, command, inputs);
    }

    private static String value(String[] argv, int i, String option) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return argv[i];
    }

    /** The real-job report published beside the report ({@value #LAYER_REPORT}), or null when there is none. */
    static String layerReport(Path out) {
        Path layer = out.toAbsolutePath().resolveSibling(LAYER_REPORT);
        try {
            return Files.exists(layer) ? Files.readString(layer) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + layer + ": " + e.getMessage(), e);
        }
    }

    /** Markers of the hand-written section on sweeps (qvg-spark, issue 19) that a regenerated report keeps. */
    static final String SWEEP_BEGIN = "<!-- sweep:begin -->";
    static final String SWEEP_END = "<!-- sweep:end -->";

    /**
     * The hand-written sweep section of the report being replaced ({@link #SWEEP_BEGIN} to
     * {@link #SWEEP_END}, markers included, after a blank line), or "" when it has none: its figures
     * come from qvg sweep runs, not from JMH, so regenerating must not drop them.
     */
    static String keptSweepSection(Path out) {
        try {
            if (!Files.exists(out)) {
                return "";
            }
            String old = Files.readString(out);
            int b = old.indexOf(SWEEP_BEGIN), e = old.indexOf(SWEEP_END);
            return b < 0 || e < b ? "" : "\n" + old.substring(b, e + SWEEP_END.length()) + "\n";
        } catch (IOException ex) {
            throw new UncheckedIOException("reading " + out + ": " + ex.getMessage(), ex);
        }
    }

    /** Reads the inputs, writes the report and plots, returns the report's path. */
    static Path generate(Args args) {
        Analysis a = Analysis.of(JmhJson.read(args.inputs()));
        Path dir = args.out().toAbsolutePath().getParent();
        List<String> plots = ScalingPlot.write(a, dir);
        ReportContext ctx = new ReportContext(args.date(), MachineInfo.describe(), args.note(), args.command(), plots);
        String md = MarkdownReport.render(a, ctx, ScalingNote.render(a), RealJobSection.render(layerReport(args.out())))
                + keptSweepSection(args.out());
        try {
            Files.createDirectories(dir);
            Files.writeString(args.out(), md);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + args.out() + ": " + e.getMessage(), e);
        }
        return args.out();
    }
}
