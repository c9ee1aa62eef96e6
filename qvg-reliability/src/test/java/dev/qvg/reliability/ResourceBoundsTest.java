package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.io.CorruptFileException;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.ReadLimits;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.SafeTensorsWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resource bounds of the readers: size caps refuse with a message naming the cap, allocation
 * follows the checked sizes (nothing is allocated for a size the file only declares), and every
 * file handle and memory mapping is released when a read returns or fails, measured on Linux
 * through {@code /proc/self/fd} and {@code /proc/self/maps} over thousands of files.
 */
class ResourceBoundsTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- caps

    @Test
    void tensorSizeCapNamesTheTensorAndTheCap() throws IOException {
        Path p = dir.resolve("k.safetensors");
        new SafeTensorsWriter().addKv("k", Quantize.tensor(new KvShape(1, 2, 16, 16), 1), DType.F32).write(p, false);
        ReadLimits cap = ReadLimits.defaults().withMaxTensorBytes(2047);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> SafeTensorsReader.open(p, cap).close());
        assertEquals("tensor 'k'", e.part());
        assertTrue(e.getMessage().contains("2048 bytes exceed the tensor size cap of 2047 bytes (ReadLimits.maxTensorBytes)"),
                e.getMessage());
        // Exactly at the cap it reads.
        try (SafeTensorsReader r = SafeTensorsReader.open(p, ReadLimits.defaults().withMaxTensorBytes(2048))) {
            assertEquals(512, r.floats("k").length);
        }
    }

    @Test
    void npyAndQuantizedReadersHonourTheCaps() throws IOException {
        Path npy = dir.resolve("x.npy");
        Npy.write(npy, new long[] {4, 64}, new float[256], DType.F32, false);
        CorruptFileException e = assertThrows(CorruptFileException.class,
                () -> Npy.read(npy, ReadLimits.defaults().withMaxTensorBytes(1023)));
        assertTrue(e.getMessage().contains("1024 bytes exceed the tensor size cap of 1023"), e.getMessage());

        Path q = dir.resolve("q.qvg.safetensors");
        Files.write(q, SeedCorpus.load(SeedCorpus.QUANTIZED_DIR).get("valid-prq-2stages.qvg.safetensors"));
        CorruptFileException eq = assertThrows(CorruptFileException.class,
                () -> QuantizedKvFile.read(q, ReadLimits.defaults().withMaxTensorBytes(16)));
        assertTrue(eq.getMessage().contains("ReadLimits.maxTensorBytes"), eq.getMessage());
        CorruptFileException eh = assertThrows(CorruptFileException.class,
                () -> QuantizedKvFile.read(q, ReadLimits.defaults().withMaxHeaderBytes(64)));
        assertTrue(eh.getMessage().contains("more than the cap of 64 (ReadLimits.maxHeaderBytes)"), eh.getMessage());
    }

    // ---------------------------------------------------------------- allocation

    /** A declared size is never allocated before it is checked against the file: a few hundred bytes cost kilobytes. */
    @Test
    void declaredSizesAreNotAllocated() throws IOException {
        List<byte[]> lies = List.of(
                // header length at the 100 MiB cap, but the file holds 2 bytes of header
                SeedCorpus.craft(100L << 20, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]),
                // a 4 GiB tensor whose offsets claim the data is there
                header("{\"k\":{\"dtype\":\"F32\",\"shape\":[1073741824],\"data_offsets\":[0,4294967296]}}"),
                // a 1 GiB npy array in a 128-byte file
                npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (268435456,), }"),
                // an npy v2 header length of 4 GiB - 1
                new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, -1, -1, -1, -1, '{', '}'});
        for (byte[] lie : lies) {
            Path p = Files.write(Files.createTempFile(dir, "lie", ".bin"), lie);
            // Once unmeasured: the first refusal also loads classes (Jackson, regex) worth megabytes.
            assertThrows(CorruptFileException.class, () -> KvFiles.readAll(p, Layout.BHSD));
            long before = THREADS.getCurrentThreadAllocatedBytes();
            assertThrows(CorruptFileException.class, () -> KvFiles.readAll(p, Layout.BHSD));
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < (4 << 20), "a " + lie.length + "-byte lie cost " + allocated + " bytes");
        }
    }

    /**
     * Honest but huge: a sparse 4 GiB file whose BF16 tensor of 2^31 elements is within the 8 GiB
     * cap but beyond one Java array. Refused before any allocation, as corrupt input through the
     * K/V paths and as a caller limit ({@code IllegalArgumentException}) through {@code floats}.
     */
    @Test
    void tensorsBeyondAJavaArrayAreRefusedBeforeAllocation() throws IOException {
        long elements = 1L << 31;
        String json = "{\"k\":{\"dtype\":\"BF16\",\"shape\":[2," + elements / 2 + "],\"data_offsets\":[0,"
                + 2 * elements + "]}}";
        byte[] head = SeedCorpus.craft(json.length(), json.getBytes(StandardCharsets.UTF_8), new byte[0]);
        Path p = dir.resolve("huge.safetensors");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            f.write(head);
            f.setLength(head.length + 2 * elements); // sparse: no disk used
        }
        assertThrows(CorruptFileException.class, () -> KvFiles.readAll(p, Layout.BHSD)); // warm-up, as above
        long before = THREADS.getCurrentThreadAllocatedBytes();
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> KvFiles.readAll(p, Layout.BHSD));
        assertEquals("tensor 'k'", e.part());
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> r.floats("k"));
            assertTrue(tooBig.getMessage().contains("more than one Java array holds"), tooBig.getMessage());
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < (4 << 20), "refusing a 4 GiB tensor allocated " + allocated + " bytes");
    }

    /** Reading a real tensor allocates its float32 result and little else: no whole-file buffer. */
    @Test
    void readingAllocatesTheResultNotACopyOfTheFile() throws IOException {
        KvShape shape = new KvShape(1, 4, 1024, 128); // 512 Ki elements: 1 MiB as BF16, 2 MiB as float32
        Path p = dir.resolve("big.safetensors");
        new SafeTensorsWriter().addKv("k", KvTensor.zeros(shape), DType.BF16).write(p, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            r.floats("k"); // warm up: class loading is not what is measured
            long before = THREADS.getCurrentThreadAllocatedBytes();
            float[] f = r.floats("k");
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals(shape.numel(), f.length);
            long result = 4L * shape.numel() + 16;
            assertTrue(allocated < result + (128 << 10), "floats() allocated " + allocated + " bytes for a "
                    + result + "-byte result: it buffers the file as well");
        }
    }

    // ---------------------------------------------------------------- handles and mappings

    @Test
    void thousandsOfReadsLeakNoFileHandleAndNoMapping() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc to count handles and mappings");
        Map<String, byte[]> st = SeedCorpus.load(SeedCorpus.SAFETENSORS_DIR);
        Map<String, byte[]> np = SeedCorpus.load(SeedCorpus.NPY_DIR);
        Map<String, byte[]> qf = SeedCorpus.load(SeedCorpus.QUANTIZED_DIR);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            files.add(Files.write(dir.resolve("kv" + i + ".safetensors"), st.get("valid-kv-bf16.safetensors")));
        }
        for (int i = 0; i < 500; i++) {
            files.add(Files.write(dir.resolve("x" + i + ".npy"), np.get("valid-kv-rank4.npy")));
        }
        for (int i = 0; i < 300; i++) {
            files.add(Files.write(dir.resolve("q" + i + ".qvg.safetensors"), qf.get("valid-prq-2stages.qvg.safetensors")));
        }
        // Failing reads must close what they opened too.
        for (int i = 0; i < 300; i++) {
            files.add(Files.write(dir.resolve("bad" + i + ".safetensors"), st.get("hostile-offsets-overlap.safetensors")));
            files.add(Files.write(dir.resolve("bad" + i + ".npy"), np.get("hostile-truncated.npy")));
            files.add(Files.write(dir.resolve("bad" + i + ".qvg.safetensors"), qf.get("hostile-data-bit-flip.qvg.safetensors")));
        }
        long fdsBefore = openFds();
        for (Path f : files) {
            String n = f.getFileName().toString();
            try {
                if (n.endsWith(".qvg.safetensors")) {
                    QuantizedKvFile.read(f);
                } else if (n.endsWith(".npy")) {
                    Npy.readKv(f, Layout.BHSD);
                } else {
                    try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
                        r.kvTensor("k");
                        // Mappings are released per call, not at close: none while the reader is open.
                        if (n.equals("kv0.safetensors")) {
                            assertEquals(0, mappingsUnder(dir), "a mapping outlived the read that made it");
                        }
                    }
                }
            } catch (CorruptFileException e) {
                assertTrue(n.startsWith("bad"), "valid file refused: " + e.getMessage());
            }
        }
        assertEquals(fdsBefore, openFds(), "file handles leaked over " + files.size() + " reads");
        assertEquals(0, mappingsUnder(dir), "memory mappings left after " + files.size() + " reads");
        // Nothing holds the files: every one can be deleted and no "(deleted)" mapping remains.
        for (Path f : files) {
            Files.delete(f);
        }
        assertEquals(0, mappingsUnder(dir));
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long mappingsUnder(Path dir) throws IOException {
        String d = dir.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(d)).count();
    }

    private static byte[] header(String json) {
        return SeedCorpus.craft(json.length(), json.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    private static byte[] npyHeader(String dict) {
        byte[] d = (dict + " ".repeat(117 - dict.length()) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + d.length];
        byte[] pre = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) d.length, 0};
        System.arraycopy(pre, 0, out, 0, 10);
        System.arraycopy(d, 0, out, 10, d.length);
        return out;
    }
}
