package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes: 2 for bad usage, 1 for bad input, each with one line on stderr and no stack trace. */
class ExitCodeTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "eval --no-such-option",
        "eval --bits 5",
        "eval --bits two",
        "eval --format xml",
        "eval --method nosuchmethod",
        "eval --backend nosuchbackend",
        "eval --compare nosuchbackend",
        "eval --block 0",
        "eval --tol 2",
        "eval --scale fp16",
        "eval --layout sideways --input x.safetensors",
        "eval --tensor k",
        "eval --grid 16by16",
        "eval --input x.safetensors --frames 4",
        "compress --input x.safetensors",
        "compress --output y.qvg.safetensors",
        "decompress --input x.qvg.safetensors --output y.safetensors --dtype int8",
        "inspect",
        "nosuchcommand",
    })
    void badUsageExitsWithTwoAndOneLine(String cmd) {
        CliRun r = CliRun.run(cmd.split(" "));
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, r.errLines(), "one line on stderr: " + r);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
        assertTrue(r.err().contains("--help"), "points at help: " + r);
    }

    @Test
    void noCommandIsUsageErrorWithHelp() {
        CliRun r = CliRun.run();
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("eval"), r.toString());
    }

    @Test
    void helpAndVersionSucceed() {
        CliRun h = CliRun.run("eval", "--help");
        assertEquals(0, h.exit(), h.toString());
        assertTrue(h.out().contains("--compare"), h.out());
        CliRun v = CliRun.run("--version");
        assertEquals(0, v.exit(), v.toString());
        assertTrue(v.out().startsWith("qvg "), v.out());
    }

    @Test
    void missingInputFileIsBadInput(@TempDir Path dir) {
        CliRun r = CliRun.run("eval", "--input", dir.resolve("absent.safetensors").toString(), "--no-plot");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("no such file"), r.toString());
    }

    @Test
    void corruptFileIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.safetensors");
        // a header length of 2^40 bytes in a 16-byte file
        byte[] b = new byte[16];
        b[5] = 1;
        Files.write(f, b);
        CliRun r = CliRun.run("eval", "--input", f.toString(), "--no-plot");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains(f.toString()), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());

        CliRun inspect = CliRun.run("inspect", f.toString());
        assertEquals(1, inspect.exit(), inspect.toString());
        CliRun decompress = CliRun.run("decompress", "--input", f.toString(), "--output", dir.resolve("o.safetensors").toString());
        assertEquals(1, decompress.exit(), decompress.toString());
        assertFalse(Files.exists(dir.resolve("o.safetensors")));
    }

    @Test
    void plainFileGivenToDecompressIsBadInput(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run("decompress", "--input", in.toString(), "--output", dir.resolve("o.safetensors").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("not a quantized-cache file"), r.toString());
    }

    @Test
    void unknownTensorNameListsTheTensorsOfTheFile(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run("eval", "--input", in.toString(), "--tensor", "q", "--no-plot");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("no tensor named 'q'") && r.err().contains("k, v"), r.toString());
    }

    @Test
    void headDimNotAMultipleOfTheBlockIsBadInput(@TempDir Path dir) throws Exception {
        float[] data = new float[1 * 1 * 8 * 48];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i);
        }
        Path f = TestData.write(dir.resolve("odd.safetensors"), "k", KvTensor.wrap(new KvShape(1, 1, 8, 48), data));
        CliRun r = CliRun.run("eval", "--input", f.toString(), "--method", "rtn", "--bits", "2", "--no-plot");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("48") && r.err().contains("64"), r.toString());
    }

    @Test
    void unavailableBackendIsBadInputBeforeAnyWork() {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                dev.qvg.api.registry.Qvg.backends().get("cuda").availability().available(),
                "cuda is available here; this test needs a machine without it");
        CliRun r = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "--compare", "cuda", "--no-plot");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertEquals("", r.out(), "refused before any output");
        assertTrue(r.err().contains("cuda") && r.err().contains("cannot be used here"), r.toString());
    }

    @Test
    void verbosePrintsTheStackTrace(@TempDir Path dir) {
        CliRun r = CliRun.run("eval", "--verbose", "--input", dir.resolve("absent.safetensors").toString(), "--no-plot");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("\tat "), r.toString());
        CliRun before = CliRun.run("--verbose", "eval", "--input", dir.resolve("absent.safetensors").toString());
        assertTrue(before.err().contains("\tat "), before.toString());
    }

    @Test
    void existingOutputIsNotOverwrittenWithoutForce(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path out = dir.resolve("out.qvg.safetensors");
        byte[] before = "precious".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(out, before);
        String[] args = {"compress", "--input", in.toString(), "--output", out.toString(), "--method", "rtn"};
        CliRun r = CliRun.run(args);
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("--force"), r.toString());
        assertArrayEquals(before, Files.readAllBytes(out));

        String[] forced = java.util.Arrays.copyOf(args, args.length + 1);
        forced[args.length] = "--force";
        CliRun f = CliRun.run(forced);
        assertEquals(0, f.exit(), f.toString());
        assertTrue(Files.size(out) > before.length);
        try (var names = Files.list(dir)) {
            assertTrue(names.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void outputDirectoryThatIsAFileIsBadInput(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("plots"), "a file");
        CliRun r = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "--out", f.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("is a file, expected a directory"), r.toString());
    }

    @Test
    void aPlotPathThatIsNotAFileIsRefusedBeforeAnyWorkAndOwnPlotsAreRewritten(@TempDir Path dir) throws Exception {
        Path outDir = Files.createDirectories(dir.resolve("plots"));
        Files.createDirectories(outDir.resolve("rate-distortion.svg")); // a folder where the plot goes
        CliRun r = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "--out", outDir.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals("", r.out(), "refused before any output: " + r);
        assertTrue(r.err().contains("rate-distortion.svg"), r.toString());
        assertTrue(Files.isDirectory(outDir.resolve("rate-distortion.svg")), "nothing of the user's replaced");

        Path own = Files.createDirectories(dir.resolve("own"));
        Files.writeString(own.resolve("rate-distortion.svg"), "an earlier run's plot");
        CliRun again = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "--clusters", "4", "--method", "rtn", "--out",
                own.toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(Files.readString(own.resolve("rate-distortion.svg")).contains("<svg"), "the plot is rewritten");
    }
}
