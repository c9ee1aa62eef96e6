package dev.qvg.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads JMH's JSON result format (an array of result objects, {@code -rf json}). */
public final class JmhJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JmhJson() {
    }

    /** Every result of every file, in file order. */
    public static List<BenchResult> read(List<Path> files) {
        List<BenchResult> all = new ArrayList<>();
        for (Path f : files) {
            all.addAll(read(f));
        }
        return all;
    }

    public static List<BenchResult> read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("JMH result file " + file + " does not exist (run JMH with -rf json -rff "
                    + file + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading JMH results " + file + ": " + e, e);
        }
    }

    /** Parses the text of a result file; {@code source} names it in error messages. */
    public static List<BenchResult> parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(source + ": a JMH result file is a JSON array of results (run JMH with "
                    + "-rf json)");
        }
        List<BenchResult> out = new ArrayList<>();
        int i = 0;
        for (JsonNode n : root) {
            out.add(one(n, source + " result " + i));
            i++;
        }
        return out;
    }

    private static BenchResult one(JsonNode n, String where) {
        String benchmark = text(n, "benchmark", where);
        JsonNode pm = n.get("primaryMetric");
        if (pm == null || !pm.isObject()) {
            throw new IllegalArgumentException(where + " (" + benchmark + "): no primaryMetric");
        }
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = n.get("params");
        if (p != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                params.put(e.getKey(), e.getValue().asText());
            }
        }
        List<String> jvmArgs = new ArrayList<>();
        JsonNode ja = n.get("jvmArgs");
        if (ja != null) {
            ja.forEach(a -> jvmArgs.add(a.asText()));
        }
        RunSettings settings = new RunSettings(n.path("forks").asInt(0), n.path("warmupIterations").asInt(0),
                n.path("warmupTime").asText(""), n.path("measurementIterations").asInt(0),
                n.path("measurementTime").asText(""), n.path("threads").asInt(1), n.path("jdkVersion").asText(""),
                (n.path("vmName").asText("") + " " + n.path("vmVersion").asText("")).trim(), jvmArgs);
        double score = number(pm.get("score"), where + " (" + benchmark + ") score");
        double error = pm.has("scoreError") ? number(pm.get("scoreError"), null) : Double.NaN;
        Map<String, Double> secondary = new LinkedHashMap<>();
        Map<String, List<Double>> secondaryRaw = new LinkedHashMap<>();
        JsonNode sm = n.get("secondaryMetrics");
        if (sm != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = sm.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                double v = number(e.getValue().get("score"), null);
                if (Double.isFinite(v)) {
                    secondary.put(e.getKey(), v);
                }
                // rawData: one array per fork, one value per measured iteration.
                List<Double> raw = new ArrayList<>();
                e.getValue().path("rawData").forEach(fork -> fork.forEach(x -> {
                    double d = number(x, null);
                    if (Double.isFinite(d)) {
                        raw.add(d);
                    }
                }));
                if (!raw.isEmpty()) {
                    secondaryRaw.put(e.getKey(), raw);
                }
            }
        }
        // The primary metric's per-iteration values ride along under a reserved name.
        List<Double> primaryRaw = new ArrayList<>();
        pm.path("rawData").forEach(fork -> fork.forEach(x -> {
            double d = number(x, null);
            if (Double.isFinite(d)) {
                primaryRaw.add(d);
            }
        }));
        if (!primaryRaw.isEmpty()) {
            secondaryRaw.put(BenchResult.PRIMARY_RAW, primaryRaw);
        }
        return new BenchResult(benchmark, text(n, "mode", where), params, score, error,
                text(pm, "scoreUnit", where + " (" + benchmark + ")"), settings, secondary,
                secondaryRaw);
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            throw new IllegalArgumentException(where + ": missing field '" + field + "'");
        }
        return v.asText();
    }

    /** JMH writes NaN as the string "NaN"; {@code what == null} means NaN is acceptable. */
    private static double number(JsonNode v, String what) {
        if (v == null || v.isNull()) {
            if (what != null) {
                throw new IllegalArgumentException(what + ": missing");
            }
            return Double.NaN;
        }
        double d = v.isNumber() ? v.asDouble() : parse(v.asText());
        if (what != null && !Double.isFinite(d)) {
            throw new IllegalArgumentException(what + ": not a finite number: " + v.asText());
        }
        return d;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
