package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Meaning, not only syntax and checksums (issue 20, item 8): an npy header is parsed as the Python
 * literal it is, and a quantized file edited and re-signed to hide a tensor from its entry list
 * or to record negative k-means iterations is refused by both readers and the inspector.
 */
class SemanticValidationTest {

    @TempDir
    Path dir;

    private Path npy(String dict) throws Exception {
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + d.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) d.length).put(d);
        return Files.write(dir.resolve("h" + System.nanoTime() + ".npy"), b.array()); // 8 data bytes: 2 x f32
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
        "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(1, 2)}",
        "{ 'shape' : ( 2 , ) ,\t'fortran_order':False,'descr':'<f4' }",
    })
    void whatNumpyWritesOrCouldIsRead(String dict) throws Exception {
        assertEquals(2, Npy.read(npy(dict)).data().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), '__x': __import__('os')}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,) + __import__('os').getcwd()}",
        "{'descr': '<f4', junk 'fortran_order': False, 'shape': (2,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x' if __import__('os') else 'y': 1}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'descr': '<f4'}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
        "{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
        "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
        "['descr', '<f4']",
        "{'descr': '<f4', 'fortran_order': False}",
    })
    void anythingElseIsRefused(String dict) throws Exception {
        Path f = npy(dict);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> Npy.read(f));
        assertTrue(e.part().startsWith("npy header"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    /** A valid two-stage file whose metadata and tensors {@code edit} changes, re-signed. */
    private Path forged(BiConsumer<Map<String, String>, Map<String, byte[]>> edit) throws Exception {
        QuantizedKv q = QuantizedKvFileTest.sample(new KvShape(1, 3, 32, 16), new BlockQuantConfig(2, 16, true,
                ScalePrecision.BF16), Orientation.TOKEN_MAJOR, 2, 8, 0, 9);
        Path good = dir.resolve("good.qvg.safetensors");
        QuantizedKvFile.write(good, Map.of("k", q, "v", q), null, true);
        Path forged = dir.resolve("forged" + System.nanoTime() + ".qvg.safetensors");
        try (SafeTensorsReader r = SafeTensorsReader.open(good)) {
            Map<String, String> meta = new LinkedHashMap<>(r.metadata());
            Map<String, byte[]> data = new LinkedHashMap<>();
            for (String n : r.names()) {
                data.put(n, r.bytes(n));
            }
            edit.accept(meta, data);
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            long off = 0;
            for (String n : data.keySet()) {
                TensorInfo t = r.info(n);
                infos.put(n, new TensorInfo(n, t.dtype(), t.shape(), off, off + data.get(n).length));
                off += data.get(n).length;
                meta.put(QuantizedKvFile.SHA_PREFIX + n, Checksums.sha256Hex(data.get(n)));
            }
            meta.put(QuantizedKvFile.KEY_HEADER_SHA, Checksums.headerDigest(meta, infos, QuantizedKvFile.KEY_HEADER_SHA));
            SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
            for (String n : data.keySet()) {
                w.addRaw(n, r.info(n).dtype(), r.info(n).shape(), data.get(n));
            }
            w.write(forged, false);
        }
        return forged;
    }

    private static void assertRefused(Path f, String part, String words) {
        for (Executable read : List.<Executable>of(() -> QuantizedKvFile.read(f), () -> QuantizedKvStreamReader.open(f).close())) {
            CorruptFileException e = assertThrows(CorruptFileException.class, read);
            assertEquals(part, e.part(), e.getMessage());
            assertTrue(e.getMessage().contains(words), e.getMessage());
        }
    }

    @Test
    void aTensorLeftOutOfTheEntryListIsRefusedNotDropped() throws Exception {
        Path f = forged((meta, data) -> meta.put(QuantizedKvFile.KEY_ENTRIES, "k"));
        assertRefused(f, "metadata 'qvg.entries'", "tensor 'v.codes' belongs to no entry");
    }

    @Test
    void negativeIterationCountsAreRefused() throws Exception {
        Path f = forged((meta, data) -> ByteBuffer.wrap(data.get("v.stage1.iterations")).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(4, -3));
        assertRefused(f, "entry 'v'", "slice 1 records -3 k-means iterations");
    }

    @Test
    void aConfigThatDisagreesWithItsEntriesIsRefusedAndNeverWritten() throws Exception {
        QuantizedKv q = QuantizedKvFileTest.sample(new KvShape(1, 2, 32, 16), new BlockQuantConfig(4, 16, true,
                ScalePrecision.BF16), Orientation.TOKEN_MAJOR, 1, 8, 0, 3);
        dev.qvg.api.config.QuantizerConfig int4 = dev.qvg.api.config.QuantizerConfig.builder().method("prq").bits(4)
                .blockSize(16).build();
        Path good = dir.resolve("int4.qvg.safetensors");
        QuantizedKvFile.write(good, Map.of("k", q), int4, false);
        for (var bad : List.of(int4.toBuilder().bits(2).build(), int4.toBuilder().method("sas").build(),
                int4.toBuilder().scalePrecision(ScalePrecision.FP8_E4M3).build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QuantizedKvFile.write(dir.resolve("never.qvg.safetensors"), Map.of("k", q), bad, false));
            assertTrue(e.getMessage().contains("the file's config says"), e.getMessage());
            try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(dir.resolve("never.qvg.safetensors"), bad, false)) {
                w.beginEntry("k", q.shape());
                assertThrows(IllegalArgumentException.class, () -> w.write(q, 0));
            }
        }
        assertTrue(Files.notExists(dir.resolve("never.qvg.safetensors")));
        // the same lie forged into a signed file: "int2" over int4 codes
        Path f = dir.resolve("lie.qvg.safetensors");
        try (SafeTensorsReader r = SafeTensorsReader.open(good)) {
            Map<String, String> meta = new LinkedHashMap<>(r.metadata());
            meta.put("qvg.config.bits", "2");
            meta.put(QuantizedKvFile.KEY_HEADER_SHA, Checksums.headerDigest(meta, r.header().tensors(),
                    QuantizedKvFile.KEY_HEADER_SHA));
            SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
            for (String n : r.names()) {
                w.addRaw(n, r.info(n).dtype(), r.info(n).shape(), r.bytes(n));
            }
            w.write(f, false);
        }
        assertRefused(f, "metadata 'qvg.config.*'", "entry 'k' holds 4-bit codes but the file's config says 2 bits");
    }

    @Test
    void theUneditedFileReads() throws Exception {
        Path f = forged((meta, data) -> { });
        assertEquals(2, QuantizedKvFile.read(f).entries().size());
    }
}
