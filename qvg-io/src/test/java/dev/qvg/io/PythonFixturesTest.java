package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by the Python tools themselves (scripts next to them in
 * src/test/resources/fixtures): {@code st-python.safetensors} by the safetensors library 0.8.0,
 * the {@code np-*.npy} files by NumPy 2.4. Every value is {@code (i - 7) * 0.375} in C order.
 */
class PythonFixturesTest {

    @TempDir
    Path dir;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(PythonFixturesTest.class.getResource("/fixtures/" + name).toURI());
    }

    static float expected(int i) {
        return (i - 7) * 0.375f;
    }

    static void assertExpectedValues(float[] v) {
        for (int i = 0; i < v.length; i++) {
            assertEquals(expected(i), v[i], "element " + i);
        }
    }

    @Test
    void readsTheSafetensorsLibrarysFile() throws Exception {
        try (SafeTensorsReader r = SafeTensorsReader.open(fixture("st-python.safetensors"))) {
            assertEquals(List.of("k_f32", "v_bf16", "k_f16"), r.names()); // the library orders by alignment
            assertTrue(r.metadata().get("producer").startsWith("safetensors 0.8.0"));
            KvTensor f32 = r.kvTensor("k_f32");
            assertEquals(new KvShape(1, 2, 6, 4), f32.shape());
            assertExpectedValues(f32.data());
            KvTensor f16 = r.kvTensor("k_f16");
            assertEquals(new KvShape(1, 2, 6, 4), f16.shape()); // [H,S,D]: B = 1
            assertExpectedValues(f16.data());
            KvTensor bf16 = r.kvTensor("v_bf16");
            assertEquals(new KvShape(1, 1, 6, 4), bf16.shape()); // [S,D]: B = H = 1
            assertExpectedValues(bf16.data());
        }
    }

    @Test
    void roundTripThroughOurWriterKeepsEveryByteOfTheData() throws Exception {
        Path src = fixture("st-python.safetensors");
        Path out = dir.resolve("again.safetensors");
        try (SafeTensorsReader r = SafeTensorsReader.open(src)) {
            SafeTensorsWriter w = new SafeTensorsWriter().metadata(r.metadata());
            for (String n : r.names()) {
                w.addFloats(n, r.info(n).dtype(), r.info(n).shape(), r.floats(n));
            }
            w.write(out, false);
            try (SafeTensorsReader again = SafeTensorsReader.open(out)) {
                assertEquals(r.metadata(), again.metadata());
                for (String n : r.names()) {
                    assertEquals(r.info(n).dtype(), again.info(n).dtype());
                    assertArrayEquals(r.info(n).shape(), again.info(n).shape());
                    assertArrayEquals(r.bytes(n), again.bytes(n), n);
                }
            }
        }
    }

    @Test
    void readsNumpysFloat32AndFloat16() throws Exception {
        Npy.Array f32 = Npy.read(fixture("np-f32.npy"));
        assertArrayEquals(new long[] {2, 3, 4}, f32.shape());
        assertExpectedValues(f32.data());
        KvTensor f16 = Npy.readKv(fixture("np-f16.npy"), Layout.BHSD);
        assertEquals(new KvShape(1, 2, 3, 4), f16.shape());
        assertExpectedValues(f16.data());
        // BSHD: [B,S,H,D] = [1,2,3,4] means 3 heads of 2 tokens.
        assertEquals(new KvShape(1, 3, 2, 4), Npy.readKv(fixture("np-f16.npy"), Layout.BSHD).shape());
    }

    @Test
    void ourNpyBytesEqualNumpys() throws Exception {
        for (String name : List.of("np-f32.npy", "np-f16.npy")) {
            Npy.Array a = Npy.read(fixture(name));
            Path out = dir.resolve(name);
            Npy.write(out, a.shape(), a.data(), name.contains("f16") ? DType.F16 : DType.F32, false);
            assertArrayEquals(Files.readAllBytes(fixture(name)), Files.readAllBytes(out), name);
        }
    }

    @Test
    void refusesNumpysBigEndianFortranAndFloat64Clearly() throws Exception {
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> Npy.read(fixture("np-f32-bigendian.npy")));
        assertTrue(e.getMessage().contains("big-endian >f4 is not supported"), e.getMessage());
        e = assertThrows(CorruptFileException.class, () -> Npy.read(fixture("np-f32-fortran.npy")));
        assertTrue(e.getMessage().contains("Fortran-order arrays are not supported"), e.getMessage());
        e = assertThrows(CorruptFileException.class, () -> Npy.read(fixture("np-f64.npy")));
        assertTrue(e.getMessage().contains("unsupported dtype '<f8'"), e.getMessage());
    }
}
