package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.io.AtomicFiles;
import dev.qvg.io.CorruptFileException;
import dev.qvg.io.DType;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs appear whole or not at all: a write that fails midway (an exception from the body, or
 * the writing thread interrupted, which closes a {@code FileChannel} under it as a killed job
 * would) leaves nothing under the target name and no temporary file, and never damages an existing
 * file. On read, a corrupted quantized-cache file is refused naming the file and the corrupt part.
 */
class AtomicOutputTest {

    @TempDir
    Path dir;

    @Test
    void bodyFailingMidwayLeavesNoFile() throws IOException {
        Path target = dir.resolve("out.qvg.safetensors");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, false, ch -> {
            ch.write(ByteBuffer.wrap(new byte[4096]));
            throw new IOException("disk full (simulated after 4096 bytes)");
        }));
        assertEquals("disk full (simulated after 4096 bytes)", e.getMessage());
        assertFalse(Files.exists(target), "half-written file left under the target name");
        assertEquals(List.of(), listing(), "temporary file left behind");
    }

    @Test
    void failedOverwriteKeepsTheOldFile() throws IOException {
        Path target = Files.write(dir.resolve("out.bin"), new byte[] {1, 2, 3});
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, true, ch -> {
            ch.write(ByteBuffer.wrap(new byte[100]));
            throw new IllegalStateException("crash midway");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("out.bin"), listing());
        // Without force an existing file is refused before anything is written.
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.write(target, false,
                ch -> ch.write(ByteBuffer.wrap(new byte[7]))));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    /** Interrupting the writer closes its channel mid-write: the quantized, safetensors and npy writers all leave nothing. */
    @Test
    void interruptedWritersLeaveNoFile() throws IOException {
        Map<String, QuantizedKv> entries = QuantizedKvFile.read(write("seed.qvg.safetensors",
                SeedCorpus.load(SeedCorpus.QUANTIZED_DIR).get("valid-prq-2stages.qvg.safetensors"))).entries();
        Files.delete(dir.resolve("seed.qvg.safetensors"));
        Path q = dir.resolve("q.qvg.safetensors"), s = dir.resolve("s.safetensors"), n = dir.resolve("n.npy");
        List<ThrowingWrite> writes = List.of(
                () -> QuantizedKvFile.write(q, entries, false),
                () -> new SafeTensorsWriter().addKv("k", Quantize.tensor(new KvShape(1, 2, 64, 64), 1), DType.BF16).write(s, false),
                () -> Npy.write(n, new long[] {64, 64}, new float[4096], DType.F32, false));
        for (ThrowingWrite w : writes) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(ClosedByInterruptException.class, w::run);
            } finally {
                Thread.interrupted(); // clear the flag whatever happened
            }
            assertEquals(List.of(), listing(), "an interrupted write left a file");
        }
        // And uninterrupted they work, so the interrupt (not a bug) stopped them.
        for (ThrowingWrite w : writes) {
            w.run();
        }
        assertEquals(List.of("n.npy", "q.qvg.safetensors", "s.safetensors"), listing());
    }

    @Test
    void checksumMismatchNamesTheFileAndTheTensor() throws IOException {
        byte[] good = SeedCorpus.load(SeedCorpus.QUANTIZED_DIR).get("valid-prq-2stages.qvg.safetensors");
        RawSafeTensors parsed = RawSafeTensors.parse(good);
        int dataStart = good.length - parsed.tensors.values().stream().mapToInt(t -> t.data.length).sum();
        int offset = dataStart;
        for (Map.Entry<String, RawSafeTensors.Tensor> t : parsed.tensors.entrySet()) {
            if (t.getValue().data.length > 0) {
                byte[] bad = good.clone();
                bad[offset + t.getValue().data.length / 2] ^= 0x01;
                Path p = write("bad.qvg.safetensors", bad);
                CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(p));
                assertEquals(p, e.file());
                assertEquals("checksum of tensor '" + t.getKey() + "'", e.part());
                assertTrue(e.getMessage().startsWith(p + ": checksum of tensor '" + t.getKey() + "': SHA-256"), e.getMessage());
                Files.delete(p);
            }
            offset += t.getValue().data.length;
        }
    }

    @Test
    void editedMetadataIsAHeaderChecksumMismatch() throws IOException {
        RawSafeTensors f = RawSafeTensors.parse(SeedCorpus.load(SeedCorpus.QUANTIZED_DIR).get("valid-rtn.qvg.safetensors"));
        f.metadata.put("k.bits", "4");
        Path p = write("edited.qvg.safetensors", f.encode());
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(p));
        assertEquals(p, e.file());
        assertEquals("header checksum", e.part());
    }

    @FunctionalInterface
    interface ThrowingWrite {
        void run() throws IOException;
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
