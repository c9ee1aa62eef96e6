package dev.qvg.spark;

import static dev.qvg.spark.SweepFixture.QUICK;
import static dev.qvg.spark.SweepFixture.args;
import static dev.qvg.spark.SweepFixture.jsonLines;
import static dev.qvg.spark.SweepFixture.sweep;
import static dev.qvg.spark.SweepFixture.withoutTimes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures: task attempts killed half-way or after committing their unit are retried by Spark and
 * leave no duplicate or partial rows; bad files and tensors are reported per file, with the
 * reason, while the sweep goes on with the rest.
 */
class SweepFaultsTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearHook() {
        UnitRunner.hook = null;
    }

    @Test
    void killedAttemptsAreRetriedWithoutDuplicateOrPartialRows() throws Exception {
        Path corpus = dir.resolve("c");
        SweepFixture.kvFile(corpus.resolve("p/layer_0.safetensors"), new KvShape(1, 4, 96, 64), DType.F32, 11);
        SweepFixture.kvFile(corpus.resolve("p/layer_1.safetensors"), new KvShape(1, 4, 96, 64), DType.BF16, 12);
        // one slice per group: 'after the first group' is half-way through a unit
        String[] common = args(QUICK, "--input", corpus.toString(), "--method", "rtn,sas", "--bits", "2", "--group-mib",
                "0.01");

        SweepFixture.Run clean = sweep(args(common, "--out", dir.resolve("clean").toString()));
        assertEquals(0, clean.code(), clean.err());

        List<String> attempts = Collections.synchronizedList(new ArrayList<>());
        UnitRunner.hook = (point, unit, attempt) -> {
            boolean midway = point.equals(UnitRunner.AFTER_FIRST_GROUP) && unit.tensor().equals("v")
                    && unit.file().relPath().equals("p/layer_0.safetensors") && unit.label().equals("sas");
            boolean committed = point.equals(UnitRunner.AFTER_COMMIT) && unit.tensor().equals("k")
                    && unit.file().relPath().equals("p/layer_1.safetensors") && unit.label().equals("rtn");
            if (midway || committed) {
                attempts.add(point + " " + attempt);
                if (attempt == 0) {
                    throw new IllegalStateException("test: attempt killed " + point);
                }
            }
        };
        Path out = dir.resolve("faulty");
        SweepFixture.Run faulty = sweep(args(common, "--out", out.toString()));
        assertEquals(0, faulty.code(), faulty.err());
        // each chosen unit: a first attempt killed, a second one that finished
        assertEquals(List.of(UnitRunner.AFTER_COMMIT + " 0", UnitRunner.AFTER_COMMIT + " 1",
                UnitRunner.AFTER_FIRST_GROUP + " 0", UnitRunner.AFTER_FIRST_GROUP + " 1"), attempts.stream().sorted().toList());

        List<JsonNode> expected = jsonLines(dir.resolve("clean").resolve(Outputs.HEADS_JSONL));
        List<JsonNode> got = jsonLines(out.resolve(Outputs.HEADS_JSONL));
        assertEquals(expected.size(), got.size());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < got.size(); i++) {
            JsonNode g = got.get(i);
            assertTrue(keys.add(g.get("file").asText() + g.get("tensor").asText() + g.get("label").asText()
                    + g.get("bits").asInt() + "#" + g.get("slice").asInt()), "duplicate row " + g);
            assertEquals(withoutTimes(expected.get(i)).without("file"), withoutTimes(g).without("file"), "head row " + i);
        }
        assertEquals(2 * 2 * 2 * 4, got.size()); // files x tensors x configurations x heads
        assertEquals(got.size(), SweepFixture.spark().read().parquet(out.resolve(Outputs.HEADS_PARQUET).toString()).count());
        // the killed attempt's temporary file is gone; nothing but committed unit files remains
        try (Stream<Path> s = Files.walk(out.resolve(OutputFolder.UNITS))) {
            assertEquals(List.of(), s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".jsonl") || n.startsWith(".")).toList());
        }
    }

    @Test
    void badFilesAreReportedPerFileAndTheSweepGoesOn() throws Exception {
        Path corpus = dir.resolve("c");
        SweepFixture.kvFile(corpus.resolve("good/layer_0.safetensors"), new KvShape(1, 2, 96, 64), DType.F32, 21);
        Files.writeString(corpus.resolve("good/notes.safetensors"), "these are notes, not tensors", StandardCharsets.UTF_8);
        // a file cut short: its header promises more data than there is
        Path full = SweepFixture.kvFile(dir.resolve("full.safetensors"), new KvShape(1, 2, 96, 64), DType.F32, 22);
        byte[] bytes = Files.readAllBytes(full);
        Files.write(corpus.resolve("good/layer_1.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        // a quantized-cache file, and one of integers only
        new SafeTensorsWriter().metadata("qvg.format", QuantizedKvFile.FORMAT)
                .addFloats("k", DType.F32, new long[] {1, 1, 4, 64}, new float[256]).write(corpus.resolve("good/layer_2.safetensors"), false);
        new SafeTensorsWriter().addInts("ids", new long[] {4}, new int[4]).write(corpus.resolve("good/layer_3.safetensors"), false);
        // a NaN in head 1 of v, and a head dim (48) that the block size (64) does not divide
        Path nan = corpus.resolve("good/layer_4.safetensors");
        KvTensor v = SweepFixture.tensor(new KvShape(1, 2, 96, 64), 23);
        v.data()[96 * 64 + 5 * 64 + 7] = Float.NaN;
        writeRaw(nan, Map.of("k", SweepFixture.tensor(new KvShape(1, 2, 96, 64), 24), "v", v));
        SweepFixture.kvFile(corpus.resolve("good/layer_5.safetensors"), new KvShape(1, 2, 96, 48), DType.F32, 25);

        Path out = dir.resolve("out");
        SweepFixture.Run run = sweep(args(QUICK, "--input", corpus.toString(), "--out", out.toString(), "--method", "rtn,sas",
                "--bits", "2"));
        assertEquals(0, run.code(), run.err());
        List<JsonNode> skipped = jsonLines(out.resolve(Outputs.SKIPPED));
        String all = String.join("\n", skipped.stream().map(Json::write).toList());
        assertTrue(all.contains("notes.safetensors"), all);
        assertTrue(reason(skipped, "layer_1.safetensors", null).length() > 0, all);
        assertTrue(reason(skipped, "layer_2.safetensors", null).contains("quantized-cache"), all);
        assertTrue(reason(skipped, "layer_3.safetensors", null).contains("no float tensor"), all);
        assertTrue(reason(skipped, "layer_4.safetensors", "v").contains("non-finite value NaN at (b=0, h=1, s=5, d=7)"), all);
        assertTrue(reason(skipped, "layer_5.safetensors", "k").contains("48"), all);
        // NaN: both configurations of v; head dim: both tensors under both configurations
        assertEquals(2, skipped.stream().filter(s -> s.get("file").asText().endsWith("layer_4.safetensors")).count());
        assertEquals(4, skipped.stream().filter(s -> s.get("file").asText().endsWith("layer_5.safetensors")).count());
        // the report names each file once per reason, with what was skipped
        assertTrue(run.err().contains("layer_4.safetensors: tensor 'v' (2 configurations): "), run.err());
        assertTrue(run.err().contains("layer_2.safetensors: "), run.err());
        // and the good rows are all there: layer_0 (k, v) and layer_4's k, 2 configurations, 2 heads
        List<JsonNode> tensors = jsonLines(out.resolve(Outputs.TENSORS_JSONL));
        assertEquals(3 * 2, tensors.size());
        assertEquals(3 * 2 * 2, jsonLines(out.resolve(Outputs.HEADS_JSONL)).size());
        assertFalse(run.out().isEmpty());
    }

    private static String reason(List<JsonNode> skipped, String file, String tensor) {
        return skipped.stream().filter(s -> s.get("file").asText().endsWith(file)
                        && (tensor == null || s.get("tensor").asText().equals(tensor)))
                .map(s -> s.get("reason").asText()).findFirst().orElse("");
    }

    /** A safetensors file written without the writer's checks (which refuse non-finite values). */
    private static void writeRaw(Path file, Map<String, KvTensor> tensors) throws Exception {
        Path tmp = file.resolveSibling("finite.safetensors");
        Map<String, KvTensor> finite = new java.util.TreeMap<>();
        List<Integer> nanAt = new ArrayList<>();
        for (Map.Entry<String, KvTensor> e : new java.util.TreeMap<>(tensors).entrySet()) {
            float[] d = e.getValue().data().clone();
            for (int i = 0; i < d.length; i++) {
                if (Float.isNaN(d[i])) {
                    d[i] = 12345.0f;
                    nanAt.add(i);
                }
            }
            finite.put(e.getKey(), KvTensor.wrap(e.getValue().shape(), d));
        }
        KvFiles.write(tmp, finite, DType.F32, Layout.BHSD, true);
        byte[] b = Files.readAllBytes(tmp);
        Files.delete(tmp);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int marker = Float.floatToRawIntBits(12345.0f);
        for (int i = 0; i + 4 <= b.length; i++) {
            if (bb.getInt(i) == marker) {
                bb.putInt(i, Float.floatToRawIntBits(Float.NaN));
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(b));
        }
        assertEquals(1, nanAt.size());
    }
}
