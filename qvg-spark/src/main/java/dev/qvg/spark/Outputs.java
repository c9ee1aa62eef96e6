package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.cli.util.BadInputException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Turns the committed unit files into the sweep's outputs, rewritten on every run (they are the
 * sweep's own):
 * <ul>
 *   <li>{@code heads.jsonl} and {@code heads.parquet/}: one row per (file, tensor, configuration,
 *       head), in that order;</li>
 *   <li>{@code tensors.jsonl} and {@code tensors.parquet/}: one row per (file, tensor,
 *       configuration), the row {@code qvg eval --format json} gives for that tensor (plus
 *       {@code file}, {@code prompt}, {@code layer}, {@code heads} and the raw sums);</li>
 *   <li>{@code skipped.jsonl}: what was skipped and why.</li>
 * </ul>
 * A tensor computed as one unit (the default) has eval's figures exactly: the unit streams its
 * slices in order as eval does. A tensor split over several units ({@code --slices-per-task})
 * has its figures combined from the units' sums, equal to eval's up to rounding in the last bits
 * (the sums are added per slice, then across slices, rather than in one running sum).
 */
final class Outputs {

    static final String HEADS_JSONL = "heads.jsonl";
    static final String HEADS_PARQUET = "heads.parquet";
    static final String TENSORS_JSONL = "tensors.jsonl";
    static final String TENSORS_PARQUET = "tensors.parquet";
    static final String SKIPPED = "skipped.jsonl";

    /** Something the sweep could not use: a whole file, a tensor, or one configuration of a tensor. */
    record Skip(String file, String tensor, String label, Integer bits, String reason) implements Serializable {
        private static final long serialVersionUID = 1L;

        ObjectNode json() {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("file", file);
            put(o, "tensor", tensor);
            put(o, "label", label);
            if (bits == null) {
                o.putNull("bits");
            } else {
                o.put("bits", bits);
            }
            o.put("reason", reason);
            return o;
        }

        private static void put(ObjectNode o, String k, String v) {
            if (v == null) {
                o.putNull(k);
            } else {
                o.put(k, v);
            }
        }
    }

    /**
     * What the reports need.
     *
     * @param unitSkips why each skipped unit (by id) was skipped
     */
    record Result(List<ObjectNode> tensorRows, List<Skip> skips, long headRows, Map<Integer, String> unitSkips) {
    }

    private Outputs() {
    }

    static Result write(SparkSession spark, Path out, List<Unit> units, List<Skip> planSkips) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String outText = out.toString();
        int parts = Math.max(1, Math.min(units.size(), jsc.defaultParallelism() * 4));
        List<UnitFile.Summary> summaries = units.isEmpty() ? List.of()
                : jsc.parallelize(units, parts).map(u -> UnitFile.summary(Path.of(outText), u)).collect();
        List<Unit> ok = new ArrayList<>();
        List<Skip> skips = new ArrayList<>(planSkips);
        Map<Integer, String> unitSkips = new LinkedHashMap<>();
        Map<String, List<JsonNode>> batches = new LinkedHashMap<>();
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            UnitFile.Summary s = summaries.get(i);
            if (s.problem() != null) {
                throw new BadInputException("the result file " + UnitFile.path(out, u) + " is damaged (" + s.problem()
                        + "); delete it and run the sweep again to compute that unit again");
            }
            if (s.reason() != null) {
                skips.add(new Skip(u.file().name(), u.tensor(), u.label(), u.bits(), s.reason()));
                unitSkips.put(u.id(), s.reason());
                continue;
            }
            ok.add(u);
            batches.computeIfAbsent(u.tensorKey(), k -> new ArrayList<>()).add(Json.read(s.batchLine()));
        }

        long headRows = writeHeadsJsonl(out, ok);
        Path headsParquet = out.resolve(HEADS_PARQUET);
        if (!ok.isEmpty()) {
            JavaRDD<Row> rows = jsc.parallelize(ok, Math.max(1, Math.min(ok.size(), jsc.defaultParallelism() * 4)))
                    .flatMap(u -> {
                        List<Row> r = new ArrayList<>();
                        for (String line : UnitFile.headLines(Path.of(outText), u)) {
                            r.add(RowSchema.row(Json.read(line), RowSchema.HEAD));
                        }
                        return r.iterator();
                    });
            spark.createDataFrame(rows, RowSchema.HEAD).write().mode(SaveMode.Overwrite).parquet(headsParquet.toUri().toString());
        } else {
            deleteTree(headsParquet);
        }

        List<ObjectNode> tensorRows = new ArrayList<>();
        for (List<JsonNode> parts1 : batches.values()) {
            tensorRows.add(tensorRow(parts1));
        }
        writeLines(out.resolve(TENSORS_JSONL), tensorRows.stream().map(Json::write).toList());
        Path tensorsParquet = out.resolve(TENSORS_PARQUET);
        if (!tensorRows.isEmpty()) {
            List<Row> rows = tensorRows.stream().map(n -> RowSchema.row(n, RowSchema.TENSOR)).toList();
            spark.createDataFrame(rows, RowSchema.TENSOR).coalesce(1).write().mode(SaveMode.Overwrite)
                    .parquet(tensorsParquet.toUri().toString());
        } else {
            deleteTree(tensorsParquet);
        }
        writeLines(out.resolve(SKIPPED), skips.stream().map(s -> Json.write(s.json())).toList());
        return new Result(List.copyOf(tensorRows), List.copyOf(skips), headRows, Map.copyOf(unitSkips));
    }

    /** Heads of every {@code ok} unit, unit by unit, copied from the unit files into one JSON-lines file. */
    private static long writeHeadsJsonl(Path out, List<Unit> ok) throws IOException {
        Path target = out.resolve(HEADS_JSONL);
        Path tmp = out.resolve("." + HEADS_JSONL + ".tmp");
        long n = 0;
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (Unit u : ok) {
                for (String line : UnitFile.headLines(out, u)) {
                    w.write(line);
                    w.newLine();
                    n++;
                }
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return n;
    }

    /**
     * The row of one tensor under one configuration from its units' last lines (in slice order):
     * the unit's own eval row when it is the whole tensor, else the rows' figures combined.
     */
    static ObjectNode tensorRow(List<JsonNode> parts) {
        JsonNode first = parts.get(0);
        ObjectNode row = ((ObjectNode) first.get("result")).deepCopy();
        int heads = row.get("shape").get(0).asInt() * row.get("shape").get(1).asInt();
        SliceSums sums = SliceSums.read(first.get("batch"));
        if (parts.size() > 1) {
            BitBudget budget = budget(first.get("result").get("bit_budget"));
            ArrayNode iters = ((ArrayNode) row.get("kmeans_iters"));
            double q = row.get("quantize_seconds").asDouble(), dq = row.get("dequantize_seconds").asDouble();
            for (JsonNode p : parts.subList(1, parts.size())) {
                sums.plus(SliceSums.read(p.get("batch")));
                budget = budget.plus(budget(p.get("result").get("bit_budget")));
                p.get("result").get("kmeans_iters").forEach(iters::add);
                q += p.get("result").get("quantize_seconds").asDouble();
                dq += p.get("result").get("dequantize_seconds").asDouble();
            }
            ErrorMetrics m = sums.metrics();
            Json.putDouble(row, "rel_l2", m.relL2());
            Json.putDouble(row, "mse", m.mse());
            Json.putDouble(row, "snr_db", m.snrDb());
            Json.putDouble(row, "cosine_mean", m.cosineMean());
            Json.putDouble(row, "cosine_min", m.cosineMin());
            Json.putDouble(row, "max_abs_err", m.maxAbs());
            dev.qvg.cli.eval.ResultJson.putBudget(row, budget);
            row.put("seconds", q + dq);
            row.put("quantize_seconds", q);
            row.put("dequantize_seconds", dq);
        }
        // the placing fields and sums after eval's, as in a head row
        for (String k : new String[] {"file", "prompt", "layer"}) {
            JsonNode v = row.remove(k);
            row.set(k, v);
        }
        row.put("heads", heads);
        Json.putDouble(row, "sum_sq_err", sums.err2());
        Json.putDouble(row, "sum_sq_ref", sums.ref2());
        return row;
    }

    private static BitBudget budget(JsonNode b) {
        return new BitBudget(b.get("values").asLong(), b.get("code_bits").asLong(), b.get("scale_bits").asLong(),
                b.get("zero_bits").asLong(), b.get("id_bits").asLong(), b.get("centroid_bits").asLong(),
                b.get("full_precision_bits").asLong());
    }

    static void writeLines(Path target, List<String> lines) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (String l : lines) {
                w.write(l);
                w.newLine();
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
