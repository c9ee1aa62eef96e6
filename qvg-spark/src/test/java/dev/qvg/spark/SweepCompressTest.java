package dev.qvg.spark;

import static dev.qvg.spark.SweepFixture.QUICK;
import static dev.qvg.spark.SweepFixture.args;
import static dev.qvg.spark.SweepFixture.jsonLines;
import static dev.qvg.spark.SweepFixture.sweep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.QvgCli;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import dev.qvg.tools.tune.TunedConfigFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --compress}, {@code --config} and {@code --tune-*}: for every input file and configuration
 * (the tuned one of {@code --config} included) the sweep writes the bytes {@code qvg compress}
 * writes for that file, also with tensors split over several tasks, with killed unit and assembly
 * attempts, and on a rerun; the tuned-config file it writes per input file is {@code qvg tune
 * --output}'s, byte for byte.
 */
class SweepCompressTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearHook() {
        UnitRunner.hook = null;
    }

    /** {@code qvg} (qvg-cli) in this JVM. */
    private static SweepFixture.Run qvg(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = QvgCli.run(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8),
                args);
        return new SweepFixture.Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void compressedFilesAreQvgCompresssBytesAndTunedFilesAreQvgTunes() throws Exception {
        Path corpus = dir.resolve("dumps");
        SweepFixture.kvFile(corpus.resolve("p1/layer_0.safetensors"), new KvShape(1, 2, 96, 64), DType.F32, 51);
        SweepFixture.kvFile(corpus.resolve("p1/layer_1.safetensors"), new KvShape(2, 2, 80, 64), DType.BF16, 52);
        Path npy = corpus.resolve("p2/layer_0_v.npy");
        Files.createDirectories(npy.getParent());
        KvFiles.write(npy, Map.of("v", SweepFixture.tensor(new KvShape(1, 2, 96, 64), 53)), DType.F32, Layout.BHSD, true);
        // a tuned file (as qvg tune writes) for the tensors named k and v: not the npy file's tensor
        Path tunedFile = dir.resolve("tuned.json");
        Map<String, QuantizerConfig> tuned = new LinkedHashMap<>();
        tuned.put("k", QuantizerConfig.builder().method("sas").bits(4).clusters(8).maxIters(6).build());
        tuned.put("v", QuantizerConfig.builder().method("prq").bits(2).stages(2).clusters(8).maxIters(6).build());
        TunedConfigFile.writeConfigs(tunedFile, tuned);

        Path out = dir.resolve("out"), packed = dir.resolve("packed");
        // three slices per task: layer_1's tensors (4 slices) are two units each, joined into one entry;
        // one slice per group, so that 'after the first group' is half-way through a unit
        String[] sweepArgs = args(new String[] {"--clusters", "8", "--iters", "6", "--no-plot"}, "--input", corpus.toString(), "--out", out.toString(), "--method", "rtn,kivi,prq",
                "--bits", "2", "--stages", "2", "--config", tunedFile.toString(), "--compress", packed.toString(),
                "--slices-per-task", "3", "--group-mib", "0.01", "--tune-snr-db", "12", "--tune-bits", "2,4",
                "--tune-stages", "0,1", "--tune-clusters", "8");
        List<String> killed = Collections.synchronizedList(new ArrayList<>());
        UnitRunner.hook = (point, unit, attempt) -> {
            boolean midway = point.equals(UnitRunner.AFTER_FIRST_GROUP) && unit.tensor().equals("k")
                    && unit.file().relPath().equals("p1/layer_1.safetensors") && unit.label().equals("prq(2)")
                    && unit.first() == 0;
            boolean publishing = point.equals(CompressedFiles.BEFORE_PUBLISH)
                    && unit.file().relPath().equals("p1/layer_0.safetensors") && unit.label().equals("tuned");
            if ((midway || publishing) && attempt == 0) {
                killed.add(point);
                throw new IllegalStateException("test: attempt killed " + point);
            }
        };
        SweepFixture.Run run = sweep(sweepArgs);
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of(UnitRunner.AFTER_FIRST_GROUP, CompressedFiles.BEFORE_PUBLISH),
                killed.stream().sorted().toList());
        UnitRunner.hook = null;

        // every (file, configuration), as qvg compress writes it; the tuned one for the files whose tensors it names
        Map<String, String[]> columns = new LinkedHashMap<>();
        columns.put("rtn-int2", new String[] {"--method", "rtn", "--bits", "2"});
        columns.put("kivi-int2", new String[] {"--method", "kivi", "--bits", "2"});
        columns.put("prq_2_-int2", new String[] {"--method", "prq", "--bits", "2", "--stages", "2"});
        columns.put("tuned", new String[] {"--config", tunedFile.toString()});
        Path expected = dir.resolve("expected");
        int files = 0;
        for (String rel : List.of("p1/layer_0.safetensors", "p1/layer_1.safetensors", "p2/layer_0_v.npy")) {
            for (Map.Entry<String, String[]> c : columns.entrySet()) {
                Path got = packed.resolve(rel + "." + c.getKey() + ".qvg.safetensors");
                if (rel.endsWith(".npy") && c.getKey().equals("tuned")) {
                    assertFalse(Files.exists(got), "the tuned file names no tensor of " + rel);
                    continue;
                }
                Path want = expected.resolve(rel + "." + c.getKey() + ".qvg.safetensors");
                Files.createDirectories(want.getParent());
                List<String> a = new ArrayList<>(List.of("compress", "-q", "--input", corpus.resolve(rel).toString(),
                        "--output", want.toString()));
                a.addAll(List.of(c.getValue()));
                if (!c.getKey().equals("tuned")) {
                    a.addAll(List.of("--clusters", "8", "--iters", "6"));
                }
                SweepFixture.Run compress = qvg(a.toArray(String[]::new));
                assertEquals(0, compress.code(), compress.err());
                assertArrayEquals(Files.readAllBytes(want), Files.readAllBytes(got), rel + " " + c.getKey());
                files++;
            }
        }
        assertEquals(11, files);
        assertTrue(run.err().contains("compressed: 11 files in " + packed + " (11 now, 0 earlier)\n"), run.err());
        // nothing left of the killed attempts, and no part of a written file
        assertEquals(List.of(), files(packed).stream().filter(n -> n.startsWith(".") && !n.equals(CompressedFiles.MARKER))
                .toList());
        assertEquals(List.of(), files(out.resolve(OutputFolder.PARTS)));
        // the tuned rows: eval's label 'tuned', each tensor with its configuration of the file
        List<JsonNode> tensorRows = jsonLines(out.resolve(Outputs.TENSORS_JSONL));
        assertEquals(List.of("sas", "prq", "sas", "prq"), tensorRows.stream()
                .filter(r -> r.get("label").asText().equals(SweepCommand.TUNED)).map(r -> r.get("method").asText()).toList());

        // --tune-snr-db: per input file, qvg tune --output's file byte for byte, and a row per tensor
        for (String rel : List.of("p1/layer_0.safetensors", "p2/layer_0_v.npy")) {
            Path want = expected.resolve(rel + ".tuned.json");
            SweepFixture.Run tune = qvg("tune", "-q", "--input", corpus.resolve(rel).toString(), "--target-snr-db", "12",
                    "--search-bits", "2,4", "--search-stages", "0,1", "--search-clusters", "8", "--clusters", "8", "--iters",
                    "6", "--output", want.toString());
            assertTrue(tune.code() == 0 || tune.code() == 1, tune.err()); // 1: a target not met, the file written
            assertEquals(Files.readString(want), Files.readString(out.resolve(Tuning.FILES).resolve(rel + ".tuned.json")), rel);
        }
        List<JsonNode> tuneRows = jsonLines(out.resolve(Tuning.ROWS));
        assertEquals(5, tuneRows.size()); // 2 + 2 + 1 tensors
        assertEquals("p1/layer_1.safetensors", tuneRows.get(2).get("file").asText().substring(corpus.toString().length() + 1));
        assertTrue(run.err().contains("tuned: 5 tensors for SNR >= 12.00 dB (5 run now)"), run.err());

        // a rerun: nothing to compute, every file kept
        SweepFixture.Run again = sweep(sweepArgs);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("(0 run now, "), again.err());
        assertTrue(again.err().contains("compressed: 11 files in " + packed + " (0 now, 11 earlier)"), again.err());
        assertTrue(again.err().contains("tuned: 5 tensors for SNR >= 12.00 dB (0 run now)"), again.err());
        // a compressed file lost: only its units run again, and it comes back the same
        Path lost = packed.resolve("p1/layer_1.safetensors.kivi-int2.qvg.safetensors");
        byte[] before = Files.readAllBytes(lost);
        Files.delete(lost);
        SweepFixture.Run resumed = sweep(sweepArgs);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("(4 run now, "), resumed.err()); // k and v, two units each
        assertTrue(resumed.err().contains("(1 now, 10 earlier)"), resumed.err());
        assertArrayEquals(before, Files.readAllBytes(lost));

        // the folder of this sweep's files refuses another sweep, and a foreign folder is refused
        SweepFixture.Run other = sweep(args(QUICK, "--input", corpus.toString(), "--out", dir.resolve("out2").toString(),
                "--method", "rtn", "--bits", "4", "--compress", packed.toString()));
        assertEquals(1, other.code());
        assertTrue(other.err().startsWith("qvg sweep: --compress " + packed + " holds the compressed files of another sweep"
                + " (--out " + out + ")"), other.err());
        SweepFixture.Run foreign = sweep(args(QUICK, "--input", corpus.toString(), "--out", dir.resolve("out3").toString(),
                "--method", "rtn", "--bits", "4", "--compress", corpus.resolve("p1").toString()));
        assertEquals(1, foreign.code());
        assertTrue(foreign.err().contains("is not empty and holds no sweep's compressed files"), foreign.err());
    }

    private static List<String> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
