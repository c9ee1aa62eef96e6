package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Slice groups read from mapped files equal the same slices of the whole tensor read at once. */
class MappedKvSlicesTest {

    @TempDir
    Path dir;

    private static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 3);
        }
        return v;
    }

    /** Every cut of the tensor into groups, for several window sizes (down to one element). */
    private static void assertGroupsMatch(MappedKvSlices m, KvTensor whole) throws Exception {
        float[] bhsd = whole.toBhsd().data();
        KvShape s = whole.shape();
        int per = s.sliceSize();
        for (long window : new long[] {m.dtype().size(), 4L * 12, 1000L * m.dtype().size(), MappedKvSlices.WINDOW}) {
            MappedKvSlices w = m.withWindow(window);
            for (int g = 1; g <= s.slices(); g++) {
                for (int first = 0; first < s.slices(); first += g) {
                    int count = Math.min(g, s.slices() - first);
                    float[] got = new float[count * per + 3]; // room to spare: only the group's floats are written
                    got[count * per] = 42;
                    w.read(first, count, got);
                    assertArrayEquals(Arrays.copyOfRange(bhsd, first * per, (first + count) * per),
                            Arrays.copyOf(got, count * per), "window " + window + ", slices " + first + "+" + count);
                    assertEquals(42, got[count * per]);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"F32, BHSD", "BF16, BHSD", "F16, BHSD", "F32, BSHD", "BF16, BSHD", "F16, BSHD"})
    void safetensorsGroupsEqualTheWholeTensor(DType dtype, Layout layout) throws Exception {
        KvShape shape = new KvShape(2, 3, 10, 8);
        KvTensor t = KvTensor.wrap(shape, values(shape.numel(), 1));
        Path f = dir.resolve("kv.safetensors");
        new SafeTensorsWriter().addFloats("pad", DType.F32, new long[] {3}, new float[3])
                .addKv("k", t, dtype, layout).write(f, false);
        KvTensor whole = KvFiles.read(f, "k", layout);
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            MappedKvSlices m = r.kvSlices("k", layout);
            assertEquals(shape, m.shape());
            assertGroupsMatch(m, whole);
        }
    }

    @ParameterizedTest
    @CsvSource({"F32, BHSD", "F16, BSHD"})
    void npyGroupsEqualTheWholeTensor(DType dtype, Layout layout) throws Exception {
        KvShape shape = new KvShape(3, 2, 7, 4);
        KvTensor t = KvTensor.wrap(shape, values(shape.numel(), 2));
        Path f = dir.resolve("k.npy");
        Npy.writeKv(f, t, dtype, layout, false);
        try (MappedKvSlices m = MappedKvSlices.npy(f, layout, ReadLimits.defaults())) {
            assertGroupsMatch(m, Npy.readKv(f, layout));
        }
    }

    @Test
    void rankTwoAndThreeFollowTheShapeRules() throws Exception {
        Path f = dir.resolve("r.safetensors");
        new SafeTensorsWriter().addFloats("sd", DType.F32, new long[] {5, 4}, values(20, 3))
                .addFloats("shd", DType.BF16, new long[] {5, 3, 4}, values(60, 4)).write(f, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            assertEquals(new KvShape(1, 1, 5, 4), r.kvSlices("sd", Layout.BSHD).shape());
            assertEquals(new KvShape(1, 3, 5, 4), r.kvSlices("shd", Layout.BSHD).shape());
            assertGroupsMatch(r.kvSlices("shd", Layout.BSHD), r.kvTensor("shd", Layout.BSHD));
        }
    }

    @Test
    void nonFiniteValueIsNamedWithItsIndexOnce() throws Exception {
        KvShape shape = new KvShape(1, 3, 4, 2);
        float[] v = values(shape.numel(), 5);
        KvTensor bshd = KvTensor.wrap(shape, v).toLayout(Layout.BSHD);
        float[] onDisk = bshd.data().clone();
        onDisk[((2 * 3) + 1) * 2 + 1] = Float.NaN; // s=2, h=1, d=1 in [B, S, H, D]
        Path f = dir.resolve("nan.safetensors");
        new SafeTensorsWriter().addShorts("k", DType.BF16, new long[] {1, 4, 3, 2}, bf16(onDisk)).write(f, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            MappedKvSlices m = r.kvSlices("k", Layout.BSHD);
            m.read(0, 1, new float[shape.sliceSize()]); // head 0 is clean
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> m.read(1, 2, new float[2 * shape.sliceSize()]));
            assertEquals("tensor 'k'", e.part());
            assertTrue(e.getMessage().contains("NaN at (b=0, h=1, s=2, d=1)"), e.getMessage());
            assertEquals(1, e.getMessage().split("tensor 'k'", -1).length - 1, "named once: " + e.getMessage());
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(f, ReadLimits.defaults().withRequireFinite(false))) {
            float[] got = new float[shape.sliceSize()];
            r.kvSlices("k", Layout.BSHD).read(1, 1, got);
            assertTrue(Float.isNaN(got[2 * 2 + 1]), "allowed when the limits allow it");
        }
    }

    @Test
    void fileTruncatedWhileOpenIsACleanError() throws Exception {
        KvShape shape = new KvShape(1, 4, 64, 16);
        Path f = dir.resolve("t.safetensors");
        new SafeTensorsWriter().addKv("k", KvTensor.wrap(shape, values(shape.numel(), 6)), DType.F32).write(f, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            MappedKvSlices m = r.kvSlices("k", Layout.BHSD);
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.setLength(raf.length() / 2);
            }
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> m.read(0, 4, new float[shape.numel()]));
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("changed while it was read"),
                    e.getMessage());
        }
    }

    @Test
    void inMemoryTensorsReadTheSameInBothLayouts() throws Exception {
        KvShape shape = new KvShape(2, 3, 5, 4);
        KvTensor t = KvTensor.wrap(shape, values(shape.numel(), 7));
        float[] a = new float[shape.numel()], b = new float[shape.numel()];
        KvSlices.of(t).read(0, 6, a);
        for (int i = 0; i < 6; i++) {
            float[] one = new float[shape.sliceSize()];
            KvSlices.of(t.toLayout(Layout.BSHD)).read(i, 1, one);
            System.arraycopy(one, 0, b, i * one.length, one.length);
        }
        assertArrayEquals(t.data(), a);
        assertArrayEquals(t.data(), b);
        assertThrows(IndexOutOfBoundsException.class, () -> KvSlices.of(t).read(5, 2, a));
    }

    private static short[] bf16(float[] v) {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = (short) (Float.floatToRawIntBits(v[i]) >>> 16);
        }
        return s;
    }
}
