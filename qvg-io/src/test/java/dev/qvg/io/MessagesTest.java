package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refusals say what is really wrong, once, about the right format. */
class MessagesTest {

    @TempDir
    Path dir;

    @Test
    void aTensorTooLargeForOneArrayIsReportedWithItsRealShape() throws Exception {
        // [1, 1, 16777216, 128] F32: 2^31 elements, 8 GiB, as a sparse file (a header and a hole)
        String json = "{\"k\":{\"dtype\":\"F32\",\"shape\":[1,1,16777216,128],\"data_offsets\":[0,8589934592]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(8 + h.length + (8L << 30));
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> r.kvSlices("k", Layout.BHSD));
            assertTrue(e.getMessage().contains("shape [1, 1, 16777216, 128] has 2147483648 elements, more than the 2147483639"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("[0, 0, 0, 0]"), e.getMessage());
        } finally {
            Files.delete(f);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvShapes.fromDims(new long[] {2, 1 << 20, 1024}, Layout.BHSD));
        assertTrue(e.getMessage().startsWith("shape [2, 1048576, 1024] has 2147483648 elements"), e.getMessage());
    }

    @Test
    void anNpyFileWithABadMagicIsReportedAsAnNpyFile() throws Exception {
        Path f = Files.write(dir.resolve("bad.npy"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        assertTrue(KvFiles.isNpy(f));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> KvFiles.readAll(f, Layout.BHSD));
        assertEquals("npy magic", e.part(), e.getMessage());
        e = assertThrows(CorruptFileException.class, () -> Npy.readHeader(f, ReadLimits.defaults())); // qvg inspect's read
        assertEquals("npy magic", e.part(), e.getMessage());
        Path upper = Files.write(dir.resolve("BAD.NPY"), new byte[16]);
        assertEquals("npy magic", assertThrows(CorruptFileException.class, () -> KvFiles.read(upper, null, Layout.BHSD)).part());
    }

    @Test
    void aNonFiniteValueNamesItsTensorOnce() throws Exception {
        KvShape s = new KvShape(1, 2, 4, 8);
        float[] v = new float[s.numel()];
        Path st = dir.resolve("nan.safetensors");
        Path npy = dir.resolve("nan.npy");
        new SafeTensorsWriter().addFloats("k", DType.F32, new long[] {1, 2, 4, 8}, v).write(st, false);
        Npy.write(npy, new long[] {1, 2, 4, 8}, v, DType.F32, false);
        for (Path f : new Path[] {st, npy}) { // the writers refuse NaN: put one into the data after writing
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.seek(raf.length() - 4L * (v.length - 5));
                raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN).array());
            }
        }
        for (Path f : new Path[] {st, npy}) {
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> KvFiles.read(f, "k", Layout.BHSD));
            String part = e.part();
            assertEquals(1, e.getMessage().split(java.util.regex.Pattern.quote(part), -1).length - 1,
                    "'" + part + "' once: " + e.getMessage());
            assertTrue(e.getMessage().contains("non-finite value NaN"), e.getMessage());
        }
    }
}
