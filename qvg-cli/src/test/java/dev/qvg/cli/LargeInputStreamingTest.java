package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.io.MappedKvSlices;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.QuantizedKvStreamReader;
import dev.qvg.io.SafeTensorsReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backs the claim that {@code compress} and {@code decompress} stream: a 2 GiB BF16 input (K and V
 * of {@code [1, 64, 65536, 128]}, 4 GiB as float32, eight times the heap) is compressed and
 * decompressed by a separate JVM with {@code -Xmx384m}, the peak resident memory of each run
 * staying under 1 GiB. RTN keeps it to about a minute on 2 cores. Runs in every {@code mvn test};
 * its 4.5 GB of temporary files are deleted however it ends.
 */
class LargeInputStreamingTest {

    /** Well under the launcher's default heap (1 GiB) and an eighth of the input as float32. */
    private static final String HEAP = "-Xmx384m";
    private static final long RSS_LIMIT = 1L << 30;

    /** A finished child JVM: exit code, output, and the peak resident memory seen. */
    private record Child(int exit, String output, long peakRssBytes) {
    }

    @Test
    void aTwoGigabyteInputCompressesAndDecompressesUnderASmallHeap(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("big.safetensors");
        Path q = dir.resolve("big.qvg.safetensors");
        Path back = dir.resolve("back.safetensors");
        try {
            BigKvFile.write(in, 64, 65536, 128, 7);
            assertEquals(2L << 30, Files.size(in) - 8 - headerLength(in));

            Child c = fork(dir, "compress", "--input", in.toString(), "--output", q.toString(), "-m", "rtn");
            assertEquals(0, c.exit(), c.output());
            assertTrue(c.output().contains("k            [1, 64, 65536, 128] keys"), c.output());
            Child d = fork(dir, "decompress", "--input", q.toString(), "--output", back.toString(), "--dtype", "bf16");
            assertEquals(0, d.exit(), d.output());
            System.out.printf("2 GiB input under %s: compress peak RSS %d MiB, decompress %d MiB%n", HEAP,
                    c.peakRssBytes() >> 20, d.peakRssBytes() >> 20);
            if (c.peakRssBytes() > 0) { // measured where /proc exists
                assertTrue(c.peakRssBytes() < RSS_LIMIT, "compress peak RSS " + (c.peakRssBytes() >> 20) + " MiB");
                assertTrue(d.peakRssBytes() < RSS_LIMIT, "decompress peak RSS " + (d.peakRssBytes() >> 20) + " MiB");
            }
            assertSlicesDecodeAsQuantized(in, q, back);
        } finally {
            for (Path p : List.of(in, q, back)) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A few slices (first, middle, last of each tensor) of the output equal quantizing them here. */
    private static void assertSlicesDecodeAsQuantized(Path in, Path q, Path back) throws IOException {
        QuantizerConfig cfg;
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(q)) {
            cfg = r.config();
        }
        try (SafeTensorsReader input = SafeTensorsReader.open(in); SafeTensorsReader output = SafeTensorsReader.open(back);
             OpenPipeline p = OpenPipeline.open(cfg)) {
            for (String name : List.of("k", "v")) {
                MappedKvSlices src = input.kvSlices(name, Layout.BHSD);
                MappedKvSlices dst = output.kvSlices(name, Layout.BHSD);
                KvShape s = src.shape();
                for (int slice : new int[] {0, 37, s.slices() - 1}) {
                    float[] x = new float[s.sliceSize()], got = new float[s.sliceSize()];
                    src.read(slice, 1, x);
                    dst.read(slice, 1, got);
                    KvShape one = new KvShape(1, 1, s.tokens(), s.headDim());
                    QuantizedKv part = p.quantizer().quantizeSlices(KvTensor.wrap(one, x),
                            name.equals("k") ? KvRole.KEY : KvRole.VALUE, slice);
                    float[] want = p.quantizer().dequantize(part).data();
                    for (int i = 0; i < want.length; i++) {
                        want[i] = Bf16.round(want[i]);
                    }
                    assertArrayEquals(want, got, name + " slice " + slice);
                }
            }
        }
    }

    private static long headerLength(Path f) throws IOException {
        byte[] b = new byte[8];
        try (var s = Files.newInputStream(f)) {
            assertEquals(8, s.read(b));
        }
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Runs {@code qvg args} in a new JVM with {@link #HEAP}, polling its peak resident memory. */
    private static Child fork(Path dir, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, HEAP, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "dev.qvg.cli.Main"));
        cmd.addAll(List.of(args));
        File log = dir.resolve("child.log").toFile();
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        Path status = Path.of("/proc", Long.toString(proc.pid()), "status");
        long peak = 0;
        while (proc.isAlive()) {
            peak = Math.max(peak, peakRss(status));
            Thread.sleep(100);
        }
        String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        Files.delete(log.toPath());
        return new Child(proc.waitFor(), String.join(" ", args) + "\n" + out, peak);
    }

    /** VmHWM (the kernel's own peak of resident memory) of a live process, 0 when unavailable. */
    private static long peakRss(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between isAlive and the read, or there is no /proc: no figure
        }
        return 0;
    }
}
