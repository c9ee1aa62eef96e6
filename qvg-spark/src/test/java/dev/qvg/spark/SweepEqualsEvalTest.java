package dev.qvg.spark;

import static dev.qvg.spark.SweepFixture.QUICK;
import static dev.qvg.spark.SweepFixture.args;
import static dev.qvg.spark.SweepFixture.evalFields;
import static dev.qvg.spark.SweepFixture.jsonLines;
import static dev.qvg.spark.SweepFixture.sweep;
import static dev.qvg.spark.SweepFixture.withoutTimes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.eval.EvalResult;
import dev.qvg.cli.eval.Evaluator;
import dev.qvg.cli.eval.InputTensors;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.cli.eval.ResultJson;
import dev.qvg.cli.eval.TensorFiles;
import dev.qvg.cli.eval.TensorSource;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real local Spark sweep over a corpus of several files, layers, prompts and tensors gives, for
 * every tensor and configuration, the row {@code qvg eval} gives for it (Evaluator on the same
 * file), bit for bit but for the wall-clock times; its head rows are the figures of each head of
 * the whole tensor's quantization; Parquet holds what JSON lines hold; and splitting tensors over
 * one-slice tasks changes no head row.
 */
class SweepEqualsEvalTest {

    @TempDir
    static Path dir;

    static Path corpus;
    static List<Path> files = new ArrayList<>();
    /** rtn, kivi, sas, prq(1), prq(2) at 2 and 4 bits: every method family of eval's suite. */
    static final String[] SUITE = {"--method", "rtn,kivi,sas,prq", "--bits", "2,4", "--stages", "1,2"};

    @BeforeAll
    static void corpus() throws Exception {
        corpus = dir.resolve("dumps");
        // two prompts, two layers, F32 and BF16, batch 1 and 2, and an npy file (its tensor named after it)
        files.add(SweepFixture.kvFile(corpus.resolve("prompt-a/layer_0.safetensors"), new KvShape(1, 2, 192, 64), DType.F32, 1));
        files.add(SweepFixture.kvFile(corpus.resolve("prompt-a/layer_1.safetensors"), new KvShape(2, 2, 160, 64), DType.BF16, 3));
        Path npy = corpus.resolve("prompt-b/layer_1_v.npy");
        Files.createDirectories(npy.getParent());
        KvFiles.write(npy, Map.of("v", SweepFixture.tensor(new KvShape(1, 2, 192, 64), 7)), DType.F32, Layout.BHSD, true);
        files.add(npy);
    }

    private static List<QuantizerConfig> configs(Path out) throws Exception {
        return Configs.read(out.resolve(Configs.FILE));
    }

    @Test
    void tensorRowsAreEvalsAndHeadRowsAreEachHeadsFigures() throws Exception {
        Path out = dir.resolve("whole");
        SweepFixture.Run run = sweep(args(QUICK, args(SUITE, "--input", corpus.toString(), "--out", out.toString())));
        assertEquals(0, run.code(), run.err());
        List<QuantizerConfig> configs = configs(out);
        assertEquals(10, configs.size());

        // the reference: Evaluator (eval's engine) on each file, as 'qvg eval --input FILE --format json'
        List<JsonNode> expected = new ArrayList<>();
        Map<String, KvTensor> recon = new HashMap<>();
        Map<String, KvTensor> original = new HashMap<>();
        for (Path f : files) {
            try (InputTensors in = TensorFiles.open(f, List.of(), Layout.BHSD, null)) {
                for (TensorSource t : in.tensors()) {
                    for (int c = 0; c < configs.size(); c++) {
                        EvalResult r = new Evaluator().runColumns(List.of(t), List.of(Evaluator.Column.of(configs.get(c))),
                                new Evaluator.Listener() { }).get(0);
                        // as printed by eval --format json and read back (its doubles round-trip exactly)
                        expected.add(Json.read(ResultJson.toJson(r)));
                        // and the whole tensor quantized at once, for the head rows
                        KvTensor x = t.readAll();
                        try (OpenPipeline p = OpenPipeline.open(configs.get(c))) {
                            String key = f + "#" + t.name() + "#" + c;
                            recon.put(key, p.quantizer().dequantize(p.quantizer().quantize(x, t.role())));
                            original.put(key, x);
                        }
                    }
                }
            }
        }
        List<JsonNode> tensors = jsonLines(out.resolve(Outputs.TENSORS_JSONL));
        assertEquals(expected.size(), tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            assertEquals(withoutTimes(expected.get(i)), evalFields(tensors.get(i)), "tensor row " + i);
        }
        // placing fields from the paths: prompt from the folder, layer from the name
        JsonNode first = tensors.get(0);
        assertEquals("prompt-a", first.get("prompt").asText());
        assertEquals(0, first.get("layer").asInt());
        JsonNode npyRow = tensors.get(tensors.size() - 1);
        assertEquals("layer_1_v", npyRow.get("tensor").asText());
        assertEquals("v", npyRow.get("role").asText());
        assertEquals(1, npyRow.get("layer").asInt());
        assertEquals("prompt-b", npyRow.get("prompt").asText());

        // head rows: each head's figures of the whole tensor's quantization, its share of the budget and iterations
        List<JsonNode> heads = jsonLines(out.resolve(Outputs.HEADS_JSONL));
        Map<String, JsonNode> tensorByKey = new HashMap<>();
        List<String> fileNames = files.stream().map(Path::toString).toList();
        for (JsonNode t : tensors) {
            tensorByKey.put(t.get("file").asText() + "#" + t.get("tensor").asText() + "#" + t.get("label").asText() + "#"
                    + t.get("bits").asInt(), t);
        }
        Set<String> seen = new HashSet<>();
        int expectedHeads = 0;
        for (JsonNode t : tensors) {
            expectedHeads += t.get("heads").asInt();
        }
        assertEquals(expectedHeads, heads.size());
        for (JsonNode h : heads) {
            String tk = h.get("file").asText() + "#" + h.get("tensor").asText() + "#" + h.get("label").asText() + "#"
                    + h.get("bits").asInt();
            assertTrue(seen.add(tk + "#" + h.get("slice").asInt()), "one row per head: " + tk);
            JsonNode t = tensorByKey.get(tk);
            int c = configIndex(configs, t);
            String key = files.get(fileNames.indexOf(h.get("file").asText())) + "#" + h.get("tensor").asText() + "#" + c;
            KvShape s = original.get(key).shape();
            int slice = h.get("slice").asInt(), n = s.sliceSize();
            assertEquals(slice, h.get("batch").asInt() * s.heads() + h.get("head").asInt());
            ErrorMetrics m = ErrorMetrics.compare(Arrays.copyOfRange(original.get(key).data(), slice * n, (slice + 1) * n),
                    Arrays.copyOfRange(recon.get(key).data(), slice * n, (slice + 1) * n), s.headDim());
            assertEquals(m.mse(), h.get("mse").asDouble(), 0, tk);
            assertEquals(m.relL2(), h.get("rel_l2").asDouble(), 0, tk);
            assertEquals(m.cosineMean(), h.get("cosine_mean").asDouble(), 0, tk);
            assertEquals(m.cosineMin(), h.get("cosine_min").asDouble(), 0, tk);
            assertEquals(m.maxAbs(), h.get("max_abs_err").asDouble(), 0, tk);
            assertEquals(t.get("bits_per_value"), h.get("bits_per_value"));
            assertEquals(t.get("bit_budget").get("values").asLong(), h.get("bit_budget").get("values").asLong() * t.get("heads").asInt());
            assertEquals(t.get("bit_budget").get("total_bytes").asLong() * 8,
                    h.get("bit_budget").get("total_bytes").asLong() * 8 * t.get("heads").asInt());
            int stages = t.get("kmeans_iters").size() / t.get("heads").asInt();
            for (int st = 0; st < stages; st++) {
                assertEquals(t.get("kmeans_iters").get(slice * stages + st), h.get("kmeans_iters").get(st), tk);
            }
        }

        // Parquet holds the JSON lines' rows, every field the JSON has
        List<Row> parquet = SweepFixture.spark().read().parquet(out.resolve(Outputs.HEADS_PARQUET).toString())
                .orderBy("file", "tensor", "bits", "label", "slice").collectAsList();
        assertEquals(heads.size(), parquet.size());
        Map<String, Double> snrByKey = new HashMap<>();
        for (JsonNode h : heads) {
            snrByKey.put(h.get("file").asText() + h.get("tensor").asText() + h.get("label").asText() + h.get("bits").asInt()
                    + "#" + h.get("slice").asInt(), Json.getDouble(h, "snr_db"));
        }
        for (Row r : parquet) {
            String k = r.getAs("file") + r.<String>getAs("tensor") + r.getAs("label") + r.<Integer>getAs("bits") + "#"
                    + r.<Integer>getAs("slice");
            assertEquals(snrByKey.get(k), r.<Double>getAs("snr_db"), k);
        }
        heads.get(0).fieldNames().forEachRemaining(f -> assertTrue(Arrays.asList(RowSchema.HEAD.fieldNames()).contains(f),
                "heads.parquet lacks the JSON field " + f));
        tensors.get(0).fieldNames().forEachRemaining(f -> assertTrue(Arrays.asList(RowSchema.TENSOR.fieldNames()).contains(f),
                "tensors.parquet lacks the JSON field " + f));
        assertEquals(tensors.size(), SweepFixture.spark().read().parquet(out.resolve(Outputs.TENSORS_PARQUET).toString()).count());

        // one-slice tasks (the k-means methods, where a slice's place in the tensor seeds its draws): the same head
        // rows; tensor rows combined from the heads' sums, equal to eval's to rounding
        Path split = dir.resolve("split");
        SweepFixture.Run r2 = sweep(args(QUICK, "--method", "sas,prq", "--bits", "2", "--stages", "2", "--input",
                corpus.toString(), "--out", split.toString(), "--slices-per-task", "1"));
        assertEquals(0, r2.code(), r2.err());
        java.util.function.Predicate<JsonNode> chosen = r -> r.get("bits").asInt() == 2
                && (r.get("label").asText().equals("sas") || r.get("label").asText().equals("prq(2)"));
        List<JsonNode> wholeHeads = heads.stream().filter(chosen).toList();
        List<JsonNode> splitHeads = jsonLines(split.resolve(Outputs.HEADS_JSONL));
        assertEquals(wholeHeads.size(), splitHeads.size());
        for (int i = 0; i < wholeHeads.size(); i++) {
            assertEquals(withoutTimes(wholeHeads.get(i)), withoutTimes(splitHeads.get(i)), "head row " + i);
        }
        List<JsonNode> wholeTensors = tensors.stream().filter(chosen).toList();
        List<JsonNode> splitTensors = jsonLines(split.resolve(Outputs.TENSORS_JSONL));
        assertEquals(wholeTensors.size(), splitTensors.size());
        for (int i = 0; i < wholeTensors.size(); i++) {
            JsonNode a = wholeTensors.get(i), b = splitTensors.get(i);
            for (String f : List.of("mse", "rel_l2", "snr_db", "cosine_mean")) {
                assertEquals(a.get(f).asDouble(), b.get(f).asDouble(), 1e-12 * Math.abs(a.get(f).asDouble()), f + " of " + i);
            }
            for (String f : List.of("cosine_min", "max_abs_err", "bits_per_value", "bit_budget", "kmeans_iters")) {
                assertEquals(a.get(f), b.get(f), f + " of tensor row " + i);
            }
        }
    }

    private static int configIndex(List<QuantizerConfig> configs, JsonNode t) {
        for (int c = 0; c < configs.size(); c++) {
            ObjectNode probe = ResultJson.node(new EvalResult("x", dev.qvg.api.tensor.KvRole.KEY, new KvShape(1, 1, 1, 1),
                    configs.get(c), new ErrorMetrics(0, 0, 0, 0, 0, 0), dev.qvg.api.quant.BitBudget.bf16(1), new int[0], 0, 0,
                    null, Double.NaN));
            if (probe.get("label").equals(t.get("label")) && probe.get("bits").equals(t.get("bits"))) {
                return c;
            }
        }
        throw new AssertionError("no configuration for " + t);
    }

    @Test
    void filesAreListedFromFoldersAndGlobs() throws Exception {
        List<InputFile> all = InputFiles.list(List.of(corpus.toString()), dir.resolve("none"));
        assertEquals(files.size(), all.size());
        List<InputFile> glob = InputFiles.list(List.of(corpus + "/*/layer_1*"), dir.resolve("none"));
        assertEquals(List.of("prompt-a/layer_1.safetensors", "prompt-b/layer_1_v.npy"),
                glob.stream().map(InputFile::relPath).toList());
        assertTrue(Files.exists(Path.of(glob.get(0).path())));
    }
}
