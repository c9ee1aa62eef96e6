package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.testing.ReadOnlyDir;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against hostile targets and inputs (issue 20): outputs that are devices,
 * FIFOs, links or inputs are refused even with --force and kept; an unwritable output folder
 * fails before any computation; a write that fails names the output, never the hidden temporary
 * file; messages name the real shape, the real format and the tensor once; the last line of
 * defence against a truncated mapped file prints one line.
 */
class ReliabilityCliTest {

    @TempDir
    Path dir;

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private List<String> hidden(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    private static void assertOneLineNaming(CliRun r, String... words) {
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), "one line: " + r);
        assertFalse(r.err().contains("\tat "), "no trace: " + r);
        for (String w : words) {
            assertTrue(r.err().contains(w), "'" + w + "' in: " + r);
        }
    }

    @Test
    void forceNeverReplacesAFifoADeviceOrAnInputsHardLink() throws Exception {
        Path in = TestData.writeSmall(dir);
        Path q = dir.resolve("kv.qvg.safetensors");
        assertEquals(0, CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "-m", "rtn").exit());
        List<Path> targets = new ArrayList<>();
        Path fifo = dir.resolve("fifo");
        if (run("mkfifo", fifo.toString())) {
            targets.add(fifo);
        }
        Path dev = dir.resolve("devnull");
        if (run("mknod", dev.toString(), "c", "1", "3")) {
            targets.add(dev);
        }
        Assumptions.assumeFalse(targets.isEmpty(), "neither mkfifo nor mknod works here");
        for (Path t : targets) {
            for (String[] cmd : new String[][] {
                {"compress", "--input", in.toString(), "--output", t.toString(), "-m", "rtn", "--force"},
                {"decompress", "--input", q.toString(), "--output", t.toString(), "--force"},
                {"tune", "--input", in.toString(), "--target-rel-l2", "0.5", "--search-bits", "2", "--search-stages", "0",
                    "--output", t.toString(), "--force"}}) {
                CliRun r = CliRun.run(cmd);
                assertOneLineNaming(r, t.toString(), "not a regular file");
                assertFalse(Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS), cmd[0] + ": " + t + " was replaced");
            }
        }
        byte[] before = Files.readAllBytes(in);
        Path hard = Files.createLink(dir.resolve("hard.safetensors"), in);
        CliRun r = CliRun.run("compress", "--input", in.toString(), "--output", hard.toString(), "-m", "rtn", "--force");
        assertOneLineNaming(r, "is the input file");
        r = CliRun.run("tune", "--input", in.toString(), "--target-rel-l2", "0.5", "--output", hard.toString(), "--force");
        assertOneLineNaming(r, "is the input file");
        assertArrayEquals(before, Files.readAllBytes(in));
        assertEquals(List.of(), hidden(dir));
    }

    @Test
    void aReadOnlyOutputFolderFailsBeforeAnyComputation() throws Exception {
        // the input's first value is NaN: had the run started computing, that would be its error
        float[] v = new float[2 * 16 * 64];
        v[0] = Float.NaN;
        Path in = dir.resolve("nan.safetensors");
        writeRaw(in, "k", new long[] {1, 2, 16, 64}, v);
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path out = ro.resolve("out.qvg.safetensors");
        try (ReadOnlyDir d = ReadOnlyDir.of(ro)) {
            for (String[] cmd : new String[][] {
                {"compress", "--input", in.toString(), "--output", out.toString(), "-m", "rtn"},
                {"eval", "--input", in.toString(), "--method", "rtn", "--bits", "2", "--out", ro.toString()}}) {
                CliRun r = CliRun.run(cmd);
                assertOneLineNaming(r, ro.toString(), "cannot create a file in the folder");
                assertFalse(r.err().contains("non-finite") || r.err().contains(".qvgtmp-"), r.toString());
            }
        }
    }

    @Test
    void aFileSizeLimitIsReportedNamingTheOutput() throws Exception {
        Path in = TestData.writeSmall(dir);
        Path out = dir.resolve("out.qvg.safetensors");
        // 4 KiB may be written; the output is about 40 KiB: "File too large", as a full disk would be
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.qvg.cli.Main", "compress", "--input", in.toString(),
                "--output", out.toString(), "-m", "rtn");
        StringBuilder sh = new StringBuilder("ulimit -f 4; exec");
        for (String a : java) {
            sh.append(" '").append(a).append('\'');
        }
        Process p = new ProcessBuilder("sh", "-c", sh.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), log);
        String err = log.lines().filter(l -> l.startsWith("qvg compress:")).findFirst().orElse(log);
        assertTrue(err.contains(out + ": cannot write the output: File too large"), log);
        assertFalse(err.contains(".qvgtmp-"), "the hidden temporary file is not named: " + log);
        assertFalse(Files.exists(out));
        assertEquals(List.of(), hidden(dir), "no temporary file left");
    }

    @Test
    void messagesNameTheRealShapeFormatAndTensor() throws Exception {
        // F32 [1, 1, 16777216, 128] (8 GiB, sparse): once reported as "shape [0, 0, 0, 0]"
        Path huge = dir.resolve("huge.safetensors");
        String json = "{\"k\":{\"dtype\":\"F32\",\"shape\":[1,1,16777216,128],\"data_offsets\":[0,8589934592]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(huge.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(8 + h.length + (8L << 30));
        }
        try {
            CliRun r = CliRun.run("compress", "--input", huge.toString(), "--output", dir.resolve("o").toString());
            assertOneLineNaming(r, "[1, 1, 16777216, 128]", "2147483648 elements");
            assertFalse(r.err().contains("[0, 0, 0, 0]"), r.toString());
        } finally {
            Files.delete(huge);
        }
        // an npy file with a bad magic: once "bad safetensors header length"
        Path npy = Files.write(dir.resolve("bad.npy"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        for (String cmd : new String[] {"eval", "compress", "inspect"}) {
            List<String> a = new ArrayList<>(cmd.equals("inspect") ? List.of("inspect", npy.toString())
                    : List.of(cmd, "--input", npy.toString(), "--no-plot"));
            if (cmd.equals("compress")) {
                a.set(3, "--output=" + dir.resolve("o.qvg"));
            }
            CliRun r = CliRun.run(a);
            assertOneLineNaming(r, "npy magic");
            assertFalse(r.err().contains("header length"), r.toString());
        }
        // a non-finite input value: the tensor named once (once "tensor 'k': tensor 'k':")
        float[] v = new float[2 * 16 * 64];
        v[5] = Float.NaN;
        Path nan = dir.resolve("nan.safetensors");
        writeRaw(nan, "k", new long[] {1, 2, 16, 64}, v);
        for (String[] cmd : new String[][] {{"compress", "--input", nan.toString(), "--output", dir.resolve("n").toString(),
                "-m", "rtn"}, {"tune", "--input", nan.toString(), "--target-rel-l2", "0.5"},
                {"eval", "--input", nan.toString(), "--method", "rtn", "--bits", "2", "--no-plot"}}) {
            CliRun r = CliRun.run(cmd);
            assertOneLineNaming(r, "non-finite value NaN");
            assertEquals(1, r.err().split("tensor 'k'", -1).length - 1, "tensor named once: " + r);
        }
        // a head dim the block size does not divide: the tensor and its shape are named, before any work
        CliRun r = CliRun.run("compress", "--input", TestData.writeSmall(dir).toString(), "--output",
                dir.resolve("b.qvg").toString(), "-m", "rtn", "--block", "48");
        assertOneLineNaming(r, "tensor 'k' [1, 2, 128, 64]", "block size 48");
        assertEquals(List.of(), hidden(dir));
    }

    @Test
    void aTruncatedMappedFileFaultIsOneLine() throws Exception {
        CliRun r = CliRun.run("eval", "--frames", "2", "--grid", "4x4", "--heads", "1", "--method", "rtn", "--bits", "2",
                "--backend", "sigbus", "--no-plot");
        assertOneLineNaming(r, "changed while it was read");
        assertTrue(QvgCli.outOfMemory(new OutOfMemoryError("Java heap space")).contains("--group-mib"));
    }

    @Test
    void aQuantizedCacheLargerThanTheHeapIsInspected() throws Exception {
        // [1, 512, 4096, 128] rtn int2: 64 MiB of codes, 8 MiB of scales; inspected under a 48 MiB heap
        Path q = dir.resolve("big.qvg.safetensors");
        BigQuantizedFile.write(q, 512, 4096, 128);
        assertTrue(Files.size(q) > 72L << 20, "larger than the heap");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "-cp", System.getProperty("java.class.path"), "dev.qvg.cli.Main", "inspect", q.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("entry k: [1, 512, 4096, 128] key, method rtn") && log.contains("checksums verified"), log);
        assertTrue(log.contains("blocks: [2097152, 128] int2 symmetric block 64"), log);
    }

    @Test
    void aReplacedOutputKeepsItsMode() throws Exception {
        Path in = TestData.writeSmall(dir);
        Path q = Files.write(dir.resolve("kv.qvg.safetensors"), new byte[] {1});
        Files.setPosixFilePermissions(q, PosixFilePermissions.fromString("rw-------"));
        assertEquals(0, CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "-m", "rtn",
                "--force").exit());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(q)));
        Path back = dir.resolve("back.safetensors");
        assertEquals(0, CliRun.run("decompress", "--input", q.toString(), "--output", back.toString()).exit());
        Files.setPosixFilePermissions(back, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(0, CliRun.run("decompress", "--input", q.toString(), "--output", back.toString(), "--force").exit());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(back)));
    }

    /** A little-endian F32 safetensors file written by hand (qvg's writers refuse NaN). */
    static void writeRaw(Path f, String name, long[] dims, float[] v) throws IOException {
        String json = "{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + java.util.Arrays.toString(dims).replace(" ", "")
                + ",\"data_offsets\":[0," + 4L * v.length + "]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (float x : v) {
            b.putFloat(x);
        }
        Files.write(f, b.array());
    }
}
