package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Streamed writes give the bytes of the whole-tensor writers ({@link KvFiles#write}), with their refusals. */
class KvStreamWriterTest {

    @TempDir
    Path dir;

    private static KvTensor tensor(KvShape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[shape.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 2);
        }
        return KvTensor.wrap(shape, v);
    }

    /** Streams {@code tensors} in groups of {@code per} slices. */
    private static void stream(Path out, Map<String, KvTensor> tensors, DType dtype, Layout layout, Map<String, String> meta,
                               int per) throws Exception {
        List<KvStreamWriter.Tensor> list = tensors.entrySet().stream()
                .map(e -> new KvStreamWriter.Tensor(e.getKey(), e.getValue().shape())).toList();
        KvStreamWriter.write(out, list, dtype, layout, meta, false, sink -> {
            int i = 0;
            for (KvTensor t : tensors.values()) {
                int n = t.shape().slices(), size = t.shape().sliceSize();
                for (int f = 0; f < n; f += per) {
                    int c = Math.min(per, n - f);
                    sink.write(i, f, c, Arrays.copyOfRange(t.data(), f * size, (f + c) * size));
                }
                i++;
            }
        });
    }

    @ParameterizedTest
    @CsvSource({"F32, BHSD", "BF16, BHSD", "F16, BHSD", "F32, BSHD", "BF16, BSHD", "F16, BSHD"})
    void safetensorsBytesEqualTheWholeWriter(DType dtype, Layout layout) throws Exception {
        Map<String, KvTensor> t = new LinkedHashMap<>();
        t.put("k", tensor(new KvShape(2, 3, 9, 8), 1));
        t.put("v", tensor(new KvShape(2, 3, 9, 8), 2));
        Map<String, String> meta = Map.of("qvg.decompressed_from", "x.qvg.safetensors");
        Path whole = dir.resolve("whole.safetensors");
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
        t.forEach((n, x) -> w.addKv(n, x, dtype, layout));
        w.write(whole, false);
        for (int per : new int[] {1, 2, 4, 6}) {
            Path out = dir.resolve("s" + per + ".safetensors");
            stream(out, t, dtype, layout, meta, per);
            assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(out), "groups of " + per);
        }
    }

    @ParameterizedTest
    @CsvSource({"F32, BHSD", "F16, BSHD"})
    void npyBytesEqualTheWholeWriter(DType dtype, Layout layout) throws Exception {
        KvTensor k = tensor(new KvShape(1, 4, 5, 8), 3);
        Path whole = dir.resolve("whole.npy");
        Npy.writeKv(whole, k, dtype, layout, false);
        Path out = dir.resolve("k.npy");
        stream(out, Map.of("k", k), dtype, layout, Map.of(), 3);
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(out));
    }

    @Test
    void refusalsLeaveNothingBehind() throws Exception {
        KvShape shape = new KvShape(1, 2, 4, 4);
        KvTensor k = tensor(shape, 4);
        k.data()[shape.sliceSize() + 5] = Float.POSITIVE_INFINITY;
        Path out = dir.resolve("o.safetensors");
        IllegalArgumentException inf = assertThrows(IllegalArgumentException.class,
                () -> stream(out, Map.of("k", k), DType.F32, Layout.BHSD, Map.of(), 1));
        assertTrue(inf.getMessage().contains("tensor 'k': value Infinity at flat index 21 is not finite"), inf.getMessage());

        KvTensor big = tensor(shape, 5);
        big.data()[6] = 1e5f;
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> stream(out, Map.of("k", big), DType.F16, Layout.BHSD, Map.of(), 2));
        assertTrue(over.getMessage().contains("overflows F16"), over.getMessage());

        List<KvStreamWriter.Tensor> one = List.of(new KvStreamWriter.Tensor("k", shape));
        IllegalStateException partial = assertThrows(IllegalStateException.class, () -> KvStreamWriter.write(out, one,
                DType.F32, Layout.BHSD, Map.of(), false, sink -> sink.write(0, 0, 1, new float[shape.sliceSize()])));
        assertTrue(partial.getMessage().contains("1 of 2 slices"), partial.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KvStreamWriter.write(out, one, DType.F32, Layout.BHSD, Map.of(),
                false, sink -> sink.write(0, 1, 1, new float[shape.sliceSize()])), "out of order");
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "no temporary file left");
        }
        Files.writeString(out, "precious");
        assertThrows(FileAlreadyExistsException.class, () -> stream(out, Map.of("k", tensor(shape, 6)), DType.F32,
                Layout.BHSD, Map.of(), 1));
        assertEquals("precious", Files.readString(out));
        assertThrows(IllegalArgumentException.class, () -> stream(dir.resolve("x.npy"), Map.of("k", tensor(shape, 6)),
                DType.BF16, Layout.BHSD, Map.of(), 1), "npy has no bf16");
    }
}
