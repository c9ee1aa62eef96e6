package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.testing.Claims;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared data file {@code chelsea-kv.safetensors} was written in Python outside this
 * project (see shared/data/README.md beside the checkout): an externally produced file of the real size.
 * Its header is spaced JSON ({@code "dtype": "BF16"}), which the safetensors library itself
 * never writes, so the library-written fixture is {@code fixtures/st-python.safetensors}
 * (see {@link PythonFixturesTest}). The path can be moved with {@code -Dqvg.chelsea=...} (or the folder
 * with {@code -Dqvg.data=DIR}); where it is missing the test skips, and fails in CI ({@link Claims}).
 */
class ChelseaFixtureTest {

    static final Path CHELSEA = System.getProperty("qvg.chelsea") != null ? Path.of(System.getProperty("qvg.chelsea"))
            : Claims.sharedData().resolve("chelsea-kv.safetensors");

    @Test
    void readsShapesMetadataAndFiniteValues() throws Exception {
        Claims.requireFile(CHELSEA, "the externally written chelsea fixture");
        try (SafeTensorsReader r = SafeTensorsReader.open(CHELSEA)) {
            assertEquals(List.of("k", "v"), r.names());
            assertTrue(r.metadata().get("source").contains("chelsea"), r.metadata().toString());
            for (String name : List.of("k", "v")) {
                TensorInfo info = r.info(name);
                assertEquals(DType.BF16, info.dtype());
                KvTensor t = r.kvTensor(name, Layout.BHSD);
                assertEquals(new KvShape(1, 2, 4096, 128), t.shape());
                double sumSq = 0;
                for (float f : t.data()) {
                    assertTrue(Float.isFinite(f));
                    // BF16 source: every value has zero low 16 bits.
                    assertEquals(0, Float.floatToRawIntBits(f) & 0xFFFF);
                    sumSq += (double) f * f;
                }
                assertTrue(sumSq > 0, name + " is all zeros");
            }
            // Values read independently with numpy from the raw bytes (bf16 bits << 16).
            KvTensor k0 = r.kvTensor("k");
            assertEquals(-1.21875f, k0.get(0, 0, 0, 0));
            assertEquals(0.6796875f, k0.get(0, 0, 0, 1));
            assertEquals(-1.6953125f, k0.get(0, 1, 100, 0));
            assertEquals(-0.041015625f, k0.get(0, 1, 100, 3));
            float maxAbs = 0;
            for (float f : k0.data()) {
                maxAbs = Math.max(maxAbs, Math.abs(f));
            }
            assertEquals(38.5f, maxAbs);
            // Raw bits agree with the converted floats.
            short[] raw = r.shorts("k");
            float[] k = r.floats("k");
            assertEquals(1 * 2 * 4096 * 128, raw.length);
            for (int i = 0; i < raw.length; i += 997) {
                assertEquals(Float.intBitsToFloat((raw[i] & 0xFFFF) << 16), k[i]);
            }
        }
    }
}
