package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafeTensorsRoundTripTest {

    @TempDir
    Path dir;

    /** Random values already representable in {@code dt}, so a round trip must be bit-exact. */
    static float[] representable(DType dt, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float f = (float) ((rng.nextDouble() * 2 - 1) * Math.pow(2, rng.nextInt(-20, 10)));
            v[i] = switch (dt) {
                case F32 -> f;
                case F16 -> Half.round(f);
                case BF16 -> Bf16.round(f);
                default -> throw new IllegalArgumentException();
            };
        }
        v[0] = -0.0f;
        return v;
    }

    static void assertBitsEqual(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void floatTensorsRoundTripBitExact(DType dt) throws Exception {
        KvShape shape = new KvShape(1, 3, 40, 16);
        float[] data = representable(dt, shape.numel(), dt.ordinal());
        Path p = dir.resolve("x.safetensors");
        new SafeTensorsWriter().metadata("who", "test").metadata("unicode", "caf\u00e9 \u2713")
                .addKv("k", KvTensor.wrap(shape, data), dt).write(p, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            assertEquals(Map.of("who", "test", "unicode", "caf\u00e9 \u2713"), r.metadata());
            assertEquals(dt, r.info("k").dtype());
            assertArrayEquals(new long[] {1, 3, 40, 16}, r.info("k").shape());
            KvTensor back = r.kvTensor("k", Layout.BHSD);
            assertEquals(shape, back.shape());
            assertBitsEqual(data, back.data());
        }
    }

    @Test
    void conversionRoundsToNearestEven() throws Exception {
        float[] data = {1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 0.1f, 3.0e38f};
        Path p = dir.resolve("r.safetensors");
        new SafeTensorsWriter().addFloats("h", DType.F16, new long[] {3}, new float[] {data[0], data[1], data[2]})
                .addFloats("b", DType.BF16, new long[] {4}, data).write(p, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            assertArrayEquals(new short[] {0x3C00, 0x3C02, 0x2E66}, r.shorts("h"));
            short[] b = r.shorts("b");
            for (int i = 0; i < 4; i++) {
                assertEquals(Bf16.fromFloat(data[i]), b[i]);
            }
        }
    }

    @Test
    void rawIntegerTensorsRoundTrip() throws Exception {
        Path p = dir.resolve("ints.safetensors");
        byte[] u8 = {0, 1, (byte) 255, 7};
        short[] u16 = {0, (short) 65535, 300};
        int[] i32 = {-5, Integer.MAX_VALUE};
        new SafeTensorsWriter().addBytes("a", new long[] {2, 2}, u8).addShorts("b", DType.U16, new long[] {3}, u16)
                .addInts("c", new long[] {2}, i32).write(p, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            assertEquals(List.of("a", "b", "c"), r.names());
            assertArrayEquals(u8, r.bytes("a"));
            assertArrayEquals(u16, r.shorts("b"));
            assertArrayEquals(i32, r.ints("c"));
            assertThrows(IllegalArgumentException.class, () -> r.floats("a"));
        }
    }

    @Test
    void headerIsPaddedSoDataIs8ByteAligned() throws Exception {
        Path p = dir.resolve("a.safetensors");
        new SafeTensorsWriter().metadata("m", "x").addFloats("t", DType.F32, new long[] {1}, new float[] {2f}).write(p, false);
        byte[] b = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, (8 + n) % 8);
        assertEquals(8 + n + 4, b.length);
        String json = new String(b, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"__metadata__\":{\"m\":\"x\"},\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"), json);
    }

    @Test
    void shapeRulesForRank2And3AndBshd() throws Exception {
        Path p = dir.resolve("s.safetensors");
        float[] sd = representable(DType.F32, 6 * 4, 1);
        float[] hsd = representable(DType.F32, 2 * 6 * 4, 2);
        new SafeTensorsWriter().addFloats("sd", DType.F32, new long[] {6, 4}, sd)
                .addFloats("hsd", DType.F32, new long[] {2, 6, 4}, hsd).write(p, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            assertEquals(new KvShape(1, 1, 6, 4), r.kvTensor("sd").shape());
            assertEquals(new KvShape(1, 2, 6, 4), r.kvTensor("hsd", Layout.BHSD).shape());
            // Read as [S, H, D]: 2 tokens of 6 heads.
            KvTensor bshd = r.kvTensor("hsd", Layout.BSHD);
            assertEquals(new KvShape(1, 6, 2, 4), bshd.shape());
            assertEquals(hsd[(1 * 6 + 5) * 4 + 3], bshd.get(0, 5, 1, 3));
        }
        // Writing in BSHD puts S before H in the file dims and element order.
        KvShape shape = new KvShape(2, 3, 5, 4);
        KvTensor t = KvTensor.wrap(shape, representable(DType.F32, shape.numel(), 3));
        Path q = dir.resolve("bshd.safetensors");
        new SafeTensorsWriter().addKv("k", t, DType.F32, Layout.BSHD).write(q, false);
        try (SafeTensorsReader r = SafeTensorsReader.open(q)) {
            assertArrayEquals(new long[] {2, 5, 3, 4}, r.info("k").shape());
            KvTensor back = r.kvTensor("k", Layout.BSHD);
            assertEquals(Layout.BSHD, back.layout());
            assertBitsEqual(t.data(), back.toBhsd().data());
        }
    }

    @Test
    void writerRefusesNonFiniteAndOverflow() {
        SafeTensorsWriter w = new SafeTensorsWriter();
        var e = assertThrows(IllegalArgumentException.class,
                () -> w.addFloats("x", DType.F32, new long[] {2}, new float[] {1f, Float.NaN}));
        assertTrue(e.getMessage().contains("flat index 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> w.addFloats("x", DType.F16, new long[] {1}, new float[] {70000f}));
        assertTrue(e.getMessage().contains("overflows F16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("x", DType.F32, new long[] {3}, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("__metadata__", DType.F32, new long[] {1}, new float[1]));
        w.addFloats("x", DType.F32, new long[] {1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("x", DType.F32, new long[] {1}, new float[1]));
    }

    @Test
    void kvFilesFacadeReadsAndWritesBothFormats() throws Exception {
        KvShape shape = new KvShape(1, 2, 8, 4);
        KvTensor k = KvTensor.wrap(shape, representable(DType.F16, shape.numel(), 9));
        Path st = dir.resolve("kv.safetensors");
        Path npy = dir.resolve("kv.npy");
        KvFiles.write(st, Map.of("k", k), DType.F16, Layout.BHSD, false);
        KvFiles.write(npy, Map.of("k", k), DType.F16, Layout.BHSD, false);
        assertBitsEqual(k.data(), KvFiles.read(st, "k", Layout.BHSD).data());
        assertBitsEqual(k.data(), KvFiles.read(npy, null, Layout.BHSD).data());
        assertEquals(List.of("kv"), List.copyOf(KvFiles.readAll(npy, Layout.BHSD).keySet()));
        assertBitsEqual(k.data(), KvFiles.readAll(st, Layout.BHSD).get("k").data());
    }

    @Test
    void readerRefusesUseAfterClose() throws Exception {
        Path p = dir.resolve("c.safetensors");
        new SafeTensorsWriter().addFloats("t", DType.F32, new long[] {1}, new float[] {2f}).write(p, false);
        SafeTensorsReader r = SafeTensors.read(p);
        r.close();
        assertTrue(Unmapper.available(), "eager unmapping should work on the JDKs we build with (17+)");
        assertThrows(IllegalStateException.class, () -> r.floats("t"));
        // The file is not held: it can be deleted and re-created at once.
        Files.delete(p);
    }

    @Test
    void windowedMappingCoversTensorsAcrossWindowBoundaries() throws Exception {
        // Force tiny windows through the package-private hook to exercise the multi-window path.
        Path p = dir.resolve("w.safetensors");
        float[] data = representable(DType.F32, 1000, 4);
        new SafeTensorsWriter().addFloats("t", DType.F32, new long[] {1000}, data).write(p, false);
        float[] out = new float[1000];
        try (var ch = java.nio.channels.FileChannel.open(p)) {
            long n = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            MappedReads.read(p, "tensor 't'", ch, 8 + n, 4000, 64, (buf, off) -> buf.asFloatBuffer().get(out, (int) (off / 4), buf.remaining() / 4));
        }
        assertBitsEqual(data, out);
    }
}
