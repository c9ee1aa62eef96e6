package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.SafeTensorsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the command line, in-process: a tensor written with the safetensors writer
 * is evaluated, compressed and decompressed, and the decompressed file's error is exactly what
 * eval reported.
 */
class EvalCompressRoundTripTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Options of one PRQ configuration, small enough to run in well under a second. */
    private static final List<String> PRQ = List.of("--method", "prq", "--bits", "2", "--stages", "1", "--clusters", "16",
            "--block", "64", "--seed", "3");

    @Test
    void evalJsonHasTheIssueFieldsAndExactBitAccounting(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run(concat(List.of("eval", "--input", in.toString(), "--tensor", "k", "--format", "json",
                "--no-plot"), PRQ));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), "one object per evaluated tensor and configuration: " + r.out());
        JsonNode o = JSON.readTree(lines.get(0));
        for (String f : List.of("tensor", "method", "bits", "block", "clusters", "stages", "backend", "rel_l2", "mse",
                "snr_db", "cosine_mean", "max_abs_err", "bits_per_value", "compression_ratio", "kmeans_iters", "seconds")) {
            assertTrue(o.has(f), "field " + f + " missing from " + o);
        }
        assertEquals("k", o.get("tensor").asText());
        assertEquals("prq", o.get("method").asText());
        assertEquals(2, o.get("bits").asInt());
        assertEquals(64, o.get("block").asInt());
        assertEquals(16, o.get("clusters").asInt());
        assertEquals(1, o.get("stages").asInt());
        assertEquals("cpu", o.get("backend").asText());
        // S = 128 tokens, D = 64, K = 16, one stage: 2 code bits + 16/64 scale + 8/64 id + 16*64*16/(128*64) centroid
        assertEquals(2 + 0.25 + 0.125 + 2.0, o.get("bits_per_value").asDouble(), 0.0);
        assertEquals(16 / 4.375, o.get("compression_ratio").asDouble(), 1e-12);
        // one stage, two heads: one iteration count per head, each between 1 and the 100 allowed
        assertEquals(2, o.get("kmeans_iters").size());
        for (JsonNode it : o.get("kmeans_iters")) {
            assertTrue(it.asInt() >= 1 && it.asInt() <= 100, "iterations " + it);
        }
        double rel = o.get("rel_l2").asDouble();
        assertTrue(rel > 0 && rel < 1, "rel L2 " + rel);
        assertEquals(-20 * Math.log10(rel), o.get("snr_db").asDouble(), 1e-9, "SNR is -20 log10(rel L2)");
    }

    @Test
    void decompressedErrorEqualsWhatEvalReports(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun eval = CliRun.run(concat(List.of("eval", "--input", in.toString(), "--format", "json", "--no-plot"), PRQ));
        assertEquals(0, eval.exit(), eval.toString());
        List<String> lines = eval.out().lines().toList();
        assertEquals(2, lines.size(), eval.out());

        Path q = dir.resolve("kv.qvg.safetensors");
        CliRun c = CliRun.run(concat(List.of("compress", "--input", in.toString(), "--output", q.toString()), PRQ));
        assertEquals(0, c.exit(), c.toString());
        assertTrue(Files.size(q) > 0);

        Path restored = dir.resolve("new/dir/restored.safetensors");
        CliRun d = CliRun.run("decompress", "--input", q.toString(), "--output", restored.toString());
        assertEquals(0, d.exit(), d.toString());

        try (SafeTensorsReader orig = SafeTensorsReader.open(in); SafeTensorsReader back = SafeTensorsReader.open(restored)) {
            for (String line : lines) {
                JsonNode o = JSON.readTree(line);
                String name = o.get("tensor").asText();
                KvTensor x = orig.kvTensor(name);
                KvTensor y = back.kvTensor(name);
                assertEquals(x.shape(), y.shape());
                ErrorMetrics m = ErrorMetrics.compare(x.data(), y.data(), x.shape().headDim());
                assertEquals(o.get("rel_l2").asDouble(), m.relL2(), 0.0, name + " rel L2");
                assertEquals(o.get("mse").asDouble(), m.mse(), 0.0, name + " mse");
                assertEquals(o.get("max_abs_err").asDouble(), m.maxAbs(), 0.0, name + " max abs");
                assertEquals(o.get("cosine_mean").asDouble(), m.cosineMean(), 0.0, name + " cosine");
            }
        }

        CliRun again = CliRun.run("eval", "--input", q.toString(), "--no-plot");
        assertEquals(1, again.exit(), "a quantized file is not K/V input: " + again);
        assertTrue(again.err().contains("qvg decompress"), again.toString());

        CliRun i = CliRun.run("inspect", q.toString());
        assertEquals(0, i.exit(), i.toString());
        assertTrue(i.out().contains("checksums verified"), i.out());
        assertTrue(i.out().contains("entry k: [1, 2, 128, 64] key, method prq"), i.out());
        assertTrue(i.out().contains("bits/value 4.3750"), i.out());
    }

    @Test
    void sameSeedSameNumbers(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        List<String> args = concat(List.of("eval", "--input", in.toString(), "--tensor", "v", "--format", "json",
                "--no-plot"), PRQ);
        JsonNode a = JSON.readTree(CliRun.run(args).out());
        JsonNode b = JSON.readTree(CliRun.run(args).out());
        assertEquals(a.get("mse").asDouble(), b.get("mse").asDouble(), 0.0);
        assertEquals(a.get("kmeans_iters"), b.get("kmeans_iters"));
    }

    @Test
    void compareWithTheSameBackendIsIdentical(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run(concat(List.of("eval", "--input", in.toString(), "--tensor", "k", "--format", "json",
                "--no-plot", "--compare", "cpu"), PRQ));
        assertEquals(0, r.exit(), r.toString());
        JsonNode cmp = JSON.readTree(r.out()).get("compare");
        assertEquals("cpu", cmp.get("backend").asText());
        assertTrue(cmp.get("identical").asBoolean());
        assertEquals(0.0, cmp.get("diff_max_abs").asDouble(), 0.0);
    }

    @Test
    void decompressToNpyKeepsTheValues(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path q = dir.resolve("k.qvg.safetensors");
        assertEquals(0, CliRun.run(concat(List.of("compress", "--input", in.toString(), "--tensor", "k", "--output",
                q.toString()), PRQ)).exit());
        Path st = dir.resolve("k.safetensors");
        Path npy = dir.resolve("k.npy");
        assertEquals(0, CliRun.run("decompress", "--input", q.toString(), "--output", st.toString()).exit());
        assertEquals(0, CliRun.run("decompress", "--input", q.toString(), "--output", npy.toString()).exit());
        try (SafeTensorsReader r = SafeTensorsReader.open(st)) {
            assertArrayEquals(r.kvTensor("k").data(), dev.qvg.io.Npy.readKv(npy, dev.qvg.api.tensor.Layout.BHSD).data());
        }
        // and the .npy file is an input eval accepts, named after the file
        CliRun e = CliRun.run(concat(List.of("eval", "--input", npy.toString(), "--format", "json", "--no-plot"), PRQ));
        assertEquals(0, e.exit(), e.toString());
        assertEquals("k", JSON.readTree(e.out()).get("tensor").asText());
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
