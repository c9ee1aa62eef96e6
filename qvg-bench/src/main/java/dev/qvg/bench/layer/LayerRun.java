package dev.qvg.bench.layer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.bench.report.BenchResult;
import dev.qvg.bench.report.JmhJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Everything one run of {@code layer-bench.sh} left in its folder, read back:
 * {@code machine.properties} (how and where it ran), {@code runs.tsv} with each command's
 * {@code /usr/bin/time -v} output and the baseline's JSON summaries, {@code faiss-iteration.json}
 * and {@code jmh-kmeans.json} (either may be missing when the script skipped that part).
 */
public record LayerRun(Map<String, String> machine, List<ToolSummary> tools, Map<Integer, double[]> faissIterationMs,
                       List<BenchResult> jmh, Map<String, Double> baselinePhases) {

    static final ObjectMapper JSON = new ObjectMapper();

    public static LayerRun read(Path dir) {
        Map<String, String> machine = properties(dir.resolve("machine.properties"));
        List<RunRecord> runs = RunRecord.parseAll(text(dir.resolve("runs.tsv")), dir);
        List<ToolSummary> tools = ToolSummary.of(runs, r -> ProcessStats.parse(text(r.timeFile()), r.timeFile().toString()));
        Map<Integer, double[]> faiss = new LinkedHashMap<>();
        Path it = dir.resolve("faiss-iteration.json");
        if (Files.exists(it)) {
            for (JsonNode n : json(it).path("sizes")) {
                faiss.put(n.path("S").asInt(), new double[] {n.path("median_ms").asDouble(), n.path("best_ms").asDouble()});
            }
        }
        Path jmhFile = dir.resolve("jmh-kmeans.json");
        List<BenchResult> jmh = Files.exists(jmhFile) ? JmhJson.read(jmhFile) : List.of();
        return new LayerRun(machine, tools, faiss, jmh, phases(runs));
    }

    /** Phase seconds of the fastest successful baseline run on the one-layer input (empty if none). */
    private static Map<String, Double> phases(List<RunRecord> runs) {
        Map<String, Double> best = new LinkedHashMap<>();
        double bestSeconds = Double.POSITIVE_INFINITY;
        for (RunRecord r : runs) {
            if (!r.tool().equals(RunRecord.BASELINE) || !r.row().equals("layer") || r.summaryFile() == null
                    || !Files.exists(r.summaryFile())) {
                continue;
            }
            JsonNode s = json(r.summaryFile());
            double seconds = s.path("seconds").asDouble(Double.POSITIVE_INFINITY);
            if (seconds < bestSeconds) {
                bestSeconds = seconds;
                best.clear();
                best.put("total", seconds);
                s.path("phases_seconds").fields().forEachRemaining(e -> best.put(e.getKey(), e.getValue().asDouble()));
            }
        }
        return best;
    }

    /** The JMH result of {@code method} ("iteration", "cluster") of KMeansBenchmark at S, most threads measured. */
    public OptionalDouble jmhSeconds(String method, int s) {
        BenchResult best = null;
        for (BenchResult r : jmh) {
            if (r.shortName().equals("KMeansBenchmark." + method) && r.intParam("S") == s
                    && (best == null || r.intParam("threads", 1) > best.intParam("threads", 1))) {
                best = r;
            }
        }
        return best == null ? OptionalDouble.empty() : OptionalDouble.of(best.secondsPerOp());
    }

    /** Sizes (S) measured by JMH or FAISS, ascending. */
    public List<Integer> iterationSizes() {
        java.util.TreeSet<Integer> s = new java.util.TreeSet<>(faissIterationMs.keySet());
        for (BenchResult r : jmh) {
            if (r.shortName().startsWith("KMeansBenchmark.")) {
                s.add(r.intParam("S"));
            }
        }
        return new ArrayList<>(s);
    }

    public String get(String key) {
        return machine.getOrDefault(key, "");
    }

    public int intValue(String key) {
        try {
            return Integer.parseInt(get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("machine.properties: '" + key + "' is not a whole number: '" + get(key) + "'");
        }
    }

    static Map<String, String> properties(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text(file).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return out;
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }
}
