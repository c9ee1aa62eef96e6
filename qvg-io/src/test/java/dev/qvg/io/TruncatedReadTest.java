package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * Every read path refuses a file truncated while it is read with one {@link CorruptFileException}
 * naming the file and "changed while it was read": never the JVM's {@code InternalError} (a mapped
 * page past the new end), the JDK's "Channel not open for writing - cannot extend file" (mapping
 * past the end), or an end-of-file exception naming nothing.
 */
class TruncatedReadTest {

    @TempDir
    Path dir;

    private static final KvShape SHAPE = new KvShape(1, 4, 64, 16);

    private Path file() throws Exception {
        float[] v = new float[SHAPE.numel()];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        Path f = dir.resolve("t.safetensors");
        new SafeTensorsWriter().addKv("k", KvTensor.wrap(SHAPE, v), DType.F32).addKv("v", KvTensor.wrap(SHAPE, v), DType.F32)
                .write(f, true);
        return f;
    }

    private static void truncate(Path f, long length) throws java.io.IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    private static void assertChanged(Path f, Executable read) {
        CorruptFileException e = assertThrows(CorruptFileException.class, read);
        assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains("changed while it was read"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void wholeTensorReadsOfAFileTruncatedAfterOpening() throws Exception {
        Path f = file();
        long size = java.nio.file.Files.size(f);
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            truncate(f, size - 100);
            for (Executable read : List.<Executable>of(() -> r.floats("v"), () -> r.kvTensor("v", Layout.BHSD),
                    () -> r.bytes("v"), () -> r.kvSlices("v", Layout.BSHD).read(0, 1, new float[SHAPE.sliceSize()]))) {
                assertChanged(f, read);
            }
        }
    }

    @Test
    void aMappedPageCutOffUnderTheReaderIsACleanError() throws Exception {
        Path f = file();
        long size = java.nio.file.Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            // truncate once the window is mapped, then touch its last page: SIGBUS inside the JVM
            assertChanged(f, () -> MappedReads.read(f, "tensor 'v'", ch, 0, size, (buf, off) -> {
                truncate(f, 0);
                buf.get(buf.limit() - 1);
            }));
        }
    }

    @Test
    void mappingPastTheNewEndIsACleanError() throws Exception {
        Path f = file();
        long size = java.nio.file.Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            truncate(f, size / 2);
            // the size check and the mapping race with the truncation; both orders are covered
            assertChanged(f, () -> MappedReads.map(f, "npy data", ch, 0, size, size));
            assertChanged(f, () -> MappedReads.map(f, "npy data", ch, 0, size, 1));
        }
    }

    @Test
    void theQuantizedReadersAndTheInspectorOfATruncatedFile() throws Exception {
        Path f = dir.resolve("q.qvg.safetensors");
        var q = QuantizedKvFileTest.sample(SHAPE, new dev.qvg.api.config.BlockQuantConfig(2, 16, true,
                dev.qvg.api.config.ScalePrecision.BF16), dev.qvg.api.quant.Orientation.TOKEN_MAJOR, 1, 8, 0, 5);
        QuantizedKvFile.write(f, java.util.Map.of("k", q), null, false);
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(f)) {
            truncate(f, java.nio.file.Files.size(f) / 2);
            assertChanged(f, () -> r.part("k", 0, 4));
        }
        // now a file whose header promises more than it holds: refused before any mapping
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertThrows(CorruptFileException.class, () -> QuantizedKvStreamReader.open(f).close());
    }
}
