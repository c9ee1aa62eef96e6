package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostileNpyTest {

    @TempDir
    Path dir;

    private Path npy(int major, String dict, int dataBytes, Integer declaredLength) throws IOException {
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        int pre = major == 1 ? 10 : 12;
        ByteBuffer b = ByteBuffer.allocate(pre + d.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        int len = declaredLength == null ? d.length : declaredLength;
        if (major == 1) {
            b.putShort((short) len);
        } else {
            b.putInt(len);
        }
        b.put(d);
        Path p = Files.createTempFile(dir, "hostile", ".npy");
        Files.write(p, b.array());
        return p;
    }

    private static final String GOOD = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";

    private void refused(Path p, String fragment) {
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> Npy.readKv(p, dev.qvg.api.tensor.Layout.BHSD));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    @Test
    void goodFileLoads() throws IOException {
        Npy.read(npy(1, GOOD, 16, null));
        Npy.read(npy(2, GOOD, 16, null));
    }

    @Test
    void badMagic() throws IOException {
        Path p = Files.write(dir.resolve("x.npy"), "PK\u0003\u0004 this is a zip".getBytes(StandardCharsets.ISO_8859_1));
        refused(p, "not an npy file");
    }

    @Test
    void badVersion() throws IOException {
        Path p = npy(1, GOOD, 16, null);
        byte[] b = Files.readAllBytes(p);
        b[6] = 9;
        refused(Files.write(p, b), "unsupported version 9.0");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        refused(npy(1, GOOD, 0, 60000), "declares 60000 header bytes");
        refused(npy(2, GOOD, 0, Integer.MAX_VALUE), "declares 2147483647 header bytes");
    }

    @Test
    void badHeaderDicts() throws IOException {
        refused(npy(1, "not a dict", 16, null), "not the Python dict literal NumPy writes: expected '{' at character 0");
        refused(npy(1, "{'descr': '<f4', 'shape': (2, 2), }", 16, null), "needs exactly descr (a string), fortran_order");
        refused(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'evil': 1}", 16, null), "unexpected key 'evil'");
        refused(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 16, null),
                "expected a non-negative integer at character 54");
        refused(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 2), }", 16, null),
                "expected a non-negative integer at character 51");
    }

    @Test
    void bigEndianAndFortranRefused() throws IOException {
        refused(npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", 16, null), "big-endian");
        refused(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, null), "Fortran-order");
    }

    @Test
    void truncatedAndTrailingData() throws IOException {
        refused(npy(1, GOOD, 12, null), "needs 16 bytes but the file holds 12 (truncated)");
        refused(npy(1, GOOD, 20, null), "(trailing bytes)");
    }

    @Test
    void shapeOverflowAndSizeCap() throws IOException {
        refused(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }", 16, null),
                "overflows");
        Path p = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 1048576), }", 16, null);
        CorruptFileException e = assertThrows(CorruptFileException.class,
                () -> Npy.read(p, ReadLimits.defaults().withMaxTensorBytes(1L << 20)));
        assertTrue(e.getMessage().contains("exceed the tensor size cap"), e.getMessage());
    }

    @Test
    void nonFiniteValues() throws IOException {
        Path p = npy(1, GOOD, 16, null);
        byte[] b = Files.readAllBytes(p);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(b.length - 4, Float.POSITIVE_INFINITY);
        refused(Files.write(p, b), "non-finite value Infinity at (b=0, h=0, s=1, d=1)");
    }
}
