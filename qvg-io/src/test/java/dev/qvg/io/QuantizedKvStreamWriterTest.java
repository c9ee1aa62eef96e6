package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The streamed writer against the definition of the format, {@link QuantizedKvFile#write} on
 * whole tensors: the same bytes for every kind of entry and any cut into parts; and the streamed
 * reader's parts against the whole reader's entries.
 */
class QuantizedKvStreamWriterTest {

    @TempDir
    Path dir;

    /** 2 batches x 3 heads: cuts of 1, 4 (uneven) and 6 slices cross batch boundaries. */
    private static final KvShape SHAPE = new KvShape(2, 3, 48, 32);

    private static QuantizedKv sample(int bits, boolean sym, ScalePrecision p, Orientation o, int stages, int clusters,
                                      int tail, long seed) {
        return QuantizedKvFileTest.sample(SHAPE, new BlockQuantConfig(bits, 16, sym, p), o, stages, clusters, tail, seed);
    }

    /** Writes {@code entries} part by part, {@code perPart} slices at a time. */
    private void stream(Path out, Map<String, QuantizedKv> entries, QuantizerConfig config, int perPart) throws IOException {
        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(out, config, false)) {
            for (Map.Entry<String, QuantizedKv> e : entries.entrySet()) {
                QuantizedKv q = e.getValue();
                int n = q.shape().slices();
                w.beginEntry(e.getKey(), q.shape());
                for (int f = 0; f < n; f += perPart) {
                    w.write(QuantizedKvParts.slice(q, f, Math.min(perPart, n - f)), f);
                }
            }
            w.commit();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "2, true, BF16, TOKEN_MAJOR, 1, 16, 0",
        "4, false, FP8_E4M3, TOKEN_MAJOR, 2, 300, 0",
        "3, true, FP8_E4M3, CHANNEL_MAJOR, 0, 1, 16",
        "8, false, BF16, TOKEN_MAJOR, 3, 16, 8",
        "4, false, BF16, CHANNEL_MAJOR, 0, 1, 0"})
    void sameBytesAsTheWholeTensorWriterForEveryCut(int bits, boolean sym, ScalePrecision p, Orientation o, int stages,
                                                    int clusters, int tail) throws Exception {
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        entries.put("k", sample(bits, sym, p, o, stages, clusters, tail, 1));
        entries.put("layers_3_v", sample(bits, sym, p, o, stages, clusters, tail, 2));
        QuantizerConfig cfg = QuantizerConfig.builder().method("prq").stages(Math.max(1, stages)).bits(bits)
                .scalePrecision(p).build();
        for (QuantizerConfig c : new QuantizerConfig[] {cfg, null}) {
            Path whole = dir.resolve("whole.qvg.safetensors");
            QuantizedKvFile.write(whole, entries, c, true);
            byte[] expected = Files.readAllBytes(whole);
            for (int per : new int[] {1, 4, 6}) {
                Path out = dir.resolve("streamed-" + per + (c == null ? "" : "-c") + ".qvg.safetensors");
                stream(out, entries, c, per);
                assertArrayEquals(expected, Files.readAllBytes(out), "parts of " + per + " slices, config " + c);
            }
        }
        assertEquals(List.of(), temporaryFiles(), "no temporary file left");
    }

    @Test
    void streamedReaderGivesTheWholeReadersSlices() throws Exception {
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        entries.put("k", sample(2, true, ScalePrecision.BF16, Orientation.TOKEN_MAJOR, 2, 300, 0, 3));
        entries.put("v", sample(2, false, ScalePrecision.BF16, Orientation.CHANNEL_MAJOR, 0, 1, 16, 4));
        Path f = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(f, entries, QuantizerConfig.publishedInt2(), false);
        QuantizedKvFile.Contents whole = QuantizedKvFile.read(f);
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(f)) {
            assertEquals(List.of("k", "v"), r.entries());
            assertEquals(QuantizerConfig.publishedInt2(), r.config());
            assertEquals(whole.metadata(), r.metadata());
            for (String name : r.entries()) {
                QuantizedKv q = whole.entry(name);
                assertEquals(q.shape(), r.shape(name));
                assertEquals(q.role(), r.role(name));
                assertEquals(q.method(), r.method(name));
                QuantizedKvFileTest.assertSame(q, r.part(name, 0, SHAPE.slices()));
                for (int[] cut : new int[][] {{0, 1}, {1, 4}, {5, 1}, {2, 3}}) {
                    QuantizedKvFileTest.assertSame(QuantizedKvParts.slice(q, cut[0], cut[1]), r.part(name, cut[0], cut[1]));
                }
            }
            r.requireUnchanged();
        }
    }

    @Test
    void streamedReaderRefusesCorruptDataAtOpenAndAFileChangedSince() throws Exception {
        Path f = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(f, Map.of("k", sample(2, true, ScalePrecision.BF16, Orientation.TOKEN_MAJOR, 1, 16, 0, 5)),
                false);
        byte[] good = Files.readAllBytes(f);
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 1; // the last byte belongs to the last tensor, stage0.iterations
        Files.write(f, bad);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvStreamReader.open(f));
        assertEquals("checksum of tensor 'k.stage0.iterations'", e.part());

        Files.write(f, good);
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(f)) {
            Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() - 60_000));
            CorruptFileException changed = assertThrows(CorruptFileException.class, r::requireUnchanged);
            assertTrue(changed.getMessage().contains("changed while it was read"), changed.getMessage());
        }
        Path plain = dir.resolve("plain.safetensors");
        new SafeTensorsWriter().addFloats("k", DType.F32, new long[] {1}, new float[1]).write(plain, false);
        CorruptFileException notQ = assertThrows(CorruptFileException.class, () -> QuantizedKvStreamReader.open(plain));
        assertTrue(notQ.getMessage().contains("not a quantized-cache file"), notQ.getMessage());
    }

    @Test
    void forgedButSignedIdsAreRefusedAtOpenAsByTheWholeReader() throws Exception {
        Path f = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(f, Map.of("k", sample(2, true, ScalePrecision.BF16, Orientation.TOKEN_MAJOR, 1, 16, 0, 8)),
                false);
        Path forged = dir.resolve("forged.qvg.safetensors");
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            Map<String, String> meta = new LinkedHashMap<>(r.metadata());
            SafeTensorsWriter w = new SafeTensorsWriter();
            Map<String, byte[]> data = new LinkedHashMap<>();
            for (String n : r.names()) {
                data.put(n, r.bytes(n));
            }
            data.get("k.stage0.ids")[100] = (byte) 200; // slice 2, token 4: clusters are 16
            meta.put(QuantizedKvFile.SHA_PREFIX + "k.stage0.ids", Checksums.sha256Hex(data.get("k.stage0.ids")));
            meta.put(QuantizedKvFile.KEY_HEADER_SHA, Checksums.headerDigest(meta, r.header().tensors(),
                    QuantizedKvFile.KEY_HEADER_SHA));
            w.metadata(meta);
            for (String n : r.names()) {
                w.addRaw(n, r.info(n).dtype(), r.info(n).shape(), data.get(n));
            }
            w.write(forged, false);
        }
        CorruptFileException whole = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(forged));
        CorruptFileException streamed = assertThrows(CorruptFileException.class, () -> QuantizedKvStreamReader.open(forged));
        assertEquals("entry 'k'", whole.part());
        assertEquals(whole.getMessage(), streamed.getMessage());
        assertTrue(streamed.getMessage().contains("id 200 at token 4 of slice 2"), streamed.getMessage());
    }

    @Test
    void misuseIsRefusedAndLeavesNothingBehind() throws Exception {
        QuantizedKv q = sample(2, true, ScalePrecision.BF16, Orientation.TOKEN_MAJOR, 1, 16, 0, 6);
        Path out = dir.resolve("o.qvg.safetensors");
        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(out, null, false)) {
            w.beginEntry("k", SHAPE);
            w.write(QuantizedKvParts.slice(q, 0, 2), 0);
            assertThrows(IllegalArgumentException.class, () -> w.write(QuantizedKvParts.slice(q, 3, 1), 3), "a gap");
            IllegalStateException incomplete = assertThrows(IllegalStateException.class, w::commit);
            assertTrue(incomplete.getMessage().contains("2 of 6 slices"), incomplete.getMessage());
            QuantizedKv other = sample(4, true, ScalePrecision.BF16, Orientation.TOKEN_MAJOR, 1, 16, 0, 6);
            IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                    () -> w.write(QuantizedKvParts.slice(other, 2, 2), 2));
            assertTrue(mismatch.getMessage().contains("does not continue the first part"), mismatch.getMessage());
            assertThrows(IllegalStateException.class, () -> w.beginEntry("k", SHAPE), "entry still open");
        }
        assertFalse(Files.exists(out), "nothing published without commit");
        assertEquals(List.of(), temporaryFiles());

        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(out, null, false)) {
            // any printable name is kept (EntryNamesTest); a line break would forge header lines
            assertThrows(IllegalArgumentException.class, () -> w.beginEntry("bad\nname", SHAPE));
            assertThrows(IllegalArgumentException.class, w::commit, "no entry");
        }
        Files.writeString(out, "precious");
        assertThrows(FileAlreadyExistsException.class, () -> QuantizedKvStreamWriter.create(out, null, false));
        stream(dir.resolve("fresh.qvg.safetensors"), Map.of("k", q), null, 6);
        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(out, null, true)) {
            w.beginEntry("k", SHAPE);
            w.write(q, 0); // the whole tensor as one part
            w.commit();
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("fresh.qvg.safetensors")), Files.readAllBytes(out),
                "--force replaces the file with the same bytes as a fresh write");
        assertEquals(List.of(), temporaryFiles());
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}
