package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.KvShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Entry names survive a round trip exactly ({@code layers.0.k} is not {@code layers_0_k}), while
 * keys stay safe identifiers, hostile names are refused by the writers and by both readers, and
 * files written before names were recorded read as before and are written byte for byte the same.
 */
class EntryNamesTest {

    private static final KvShape SHAPE = new KvShape(1, 2, 8, 16);

    @TempDir
    Path dir;

    private static QuantizedKv sample(long seed) {
        return QuantizedKvFileTest.sample(SHAPE, BlockQuantConfig.publishedInt2().withBlockSize(16),
                Orientation.TOKEN_MAJOR, 1, 4, 2, seed);
    }

    @Test
    void keysAreTheNameWhenSafeElseASafeUniqueIdentifier() {
        assertEquals("k", EntryNames.keyFor("k", Set.of()));
        assertEquals("layers_0_k", EntryNames.keyFor("layers.0.k", Set.of()));
        assertEquals("layers_0_k_2", EntryNames.keyFor("layers.0.k", Set.of("layers_0_k")));
        assertEquals("layers_0_k_2", EntryNames.keyFor("layers_0_k", Set.of("layers_0_k")), "a safe name already taken");
        assertEquals("______", EntryNames.keyFor("../../", Set.of()));
        assertEquals("____v", EntryNames.keyFor("\u043a\u043b\u044e v", Set.of()), "one _ per character, not per byte");
        assertEquals("_x", EntryNames.keyFor("\uD83D\uDE00x", Set.of()), "one _ per code point");
        String longName = "model.layers.17.self_attn.k_proj.".repeat(4) + "cache";
        String key = EntryNames.keyFor(longName, Set.of());
        assertEquals(64, key.length());
        assertTrue(EntryNames.isKey(key), key);
        String second = EntryNames.keyFor(longName + "2", Set.of(key));
        assertEquals(64, second.length());
        assertTrue(second.endsWith("_2") && !second.equals(key), second);
    }

    @ParameterizedTest
    @ValueSource(strings = {"layers.0.self_attn.k", "../../etc/passwd", "/abs/path", "a,b", "k.codes", "a b", "x=y",
        "\u043a\u043b\u044e\u0447", "\uD83D\uDE00", "__metadata", "qvg.entries"})
    void printableNamesAreKept(String name) {
        assertNull(EntryNames.problem(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "__metadata__", "a\nb", "a\rb", "tab\there", "nul\u0000", "del\u007f", "c1\u0085",
        "bidi\u202Ereversed", "zero\u200Bwidth", "line\u2028sep", "lone\uD800", "\uDC00lone"})
    void unprintableOrReservedNamesAreRefusedQuotedOnOneLine(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntryNames.requireValid(name));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("entry name \""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EntryNames.requireValid("x".repeat(EntryNames.MAX_NAME_LENGTH + 1)));
        assertNull(EntryNames.problem("x".repeat(EntryNames.MAX_NAME_LENGTH)));
    }

    @Test
    void printableLeavesOrdinaryNamesAloneAndEscapesTheRest() {
        assertEquals("layers.0.k", EntryNames.printable("layers.0.k"));
        assertEquals("\"a\\nb\"", EntryNames.printable("a\nb"));
        assertEquals("\"x\\u202Ey\"", EntryNames.printable("x\u202Ey"));
        assertEquals("\" k\"", EntryNames.printable(" k"));
        assertEquals("\"say \\\"hi\\\"\"", EntryNames.printable("say \"hi\""));
    }

    @Test
    void namesRoundTripExactlyThroughBothWritersAndBothReaders() throws Exception {
        List<String> names = List.of("layers.0.k", "layers_0_k", "../../escape", "\u043a\u043b\u044e\u0447/v", "k");
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            entries.put(names.get(i), sample(i));
        }
        Path whole = dir.resolve("whole.qvg.safetensors");
        QuantizedKvFile.write(whole, entries, null, false);
        Path streamed = dir.resolve("streamed.qvg.safetensors");
        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(streamed, null, false)) {
            for (Map.Entry<String, QuantizedKv> e : entries.entrySet()) {
                w.beginEntry(e.getKey(), SHAPE);
                w.write(QuantizedKvParts.slice(e.getValue(), 0, 1), 0);
                w.write(QuantizedKvParts.slice(e.getValue(), 1, 1), 1);
            }
            w.commit();
        }
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(streamed), "both writers give the same bytes");

        QuantizedKvFile.Contents c = QuantizedKvFile.read(whole);
        assertEquals(names, new ArrayList<>(c.entries().keySet()));
        for (String n : names) {
            QuantizedKvFileTest.assertSame(entries.get(n), c.entry(n));
        }
        // keys: safe identifiers, the name itself only where it is one and free
        assertEquals("layers_0_k,layers_0_k_2,______escape,_____v,k", c.metadata().get("qvg.entries"));
        assertEquals("layers.0.k", c.metadata().get("layers_0_k.name"));
        assertEquals("layers_0_k", c.metadata().get("layers_0_k_2.name"));
        assertNull(c.metadata().get("k.name"), "a name that is its key is not recorded again");
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(streamed)) {
            assertEquals(names, r.entries());
            assertEquals("______escape", r.entry("../../escape").key());
            assertArrayEquals(ReferenceDecoder.decode(entries.get("layers.0.k")).data(),
                    ReferenceDecoder.decode(r.part("layers.0.k", 0, 2)).data());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> r.shape("layers_0_k_2"));
            assertTrue(missing.getMessage().contains("layers.0.k"), missing.getMessage());
        }
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(whole)) { // what qvg inspect prints
            assertEquals("layers_0_k", r.entry("layers.0.k").key());
            assertEquals(dev.qvg.api.tensor.KvRole.KEY, r.entry("layers.0.k").role());
        }
        // nothing was created from a name
        try (var files = Files.list(dir)) {
            assertEquals(Set.of("whole.qvg.safetensors", "streamed.qvg.safetensors"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
        }
    }

    @Test
    void writersRefuseHostileNamesBeforeWritingAnything() throws Exception {
        Path out = dir.resolve("never.qvg.safetensors");
        for (String bad : List.of("a\nb", "__metadata__", "x\u202E")) {
            assertThrows(IllegalArgumentException.class, () -> QuantizedKvFile.write(out, Map.of(bad, sample(1)), false));
            try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(out, null, false)) {
                assertThrows(IllegalArgumentException.class, () -> w.beginEntry(bad, SHAPE));
            }
        }
        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(out, null, false)) {
            w.beginEntry("a.b", SHAPE);
            w.write(sample(1), 0);
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> w.beginEntry("a.b", SHAPE));
            assertTrue(twice.getMessage().contains("written twice"), twice.getMessage());
        }
        assertTrue(Files.notExists(out));
    }

    @Test
    void filesWrittenBeforeNamesWereRecordedReadAsBeforeAndAreRewrittenIdentically() throws Exception {
        // written by the previous qvg (entries "layers_0_k" and "v", a config), committed unchanged
        Path old = PythonFixturesTest.fixture("qvg-v1-before-names.qvg.safetensors");
        QuantizedKvFile.Contents c = QuantizedKvFile.read(old);
        assertEquals(List.of("layers_0_k", "v"), new ArrayList<>(c.entries().keySet()));
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(old)) {
            assertEquals(List.of("layers_0_k", "v"), r.entries());
            assertEquals("layers_0_k", r.entry("layers_0_k").key());
        }
        Path again = dir.resolve("again.qvg.safetensors");
        QuantizedKvFile.write(again, c.entries(), c.config(), false);
        assertArrayEquals(Files.readAllBytes(old), Files.readAllBytes(again));
    }

    private Path forged(Consumer<Map<String, String>> edit, Map<String, String> renameKeys) throws Exception {
        return forged(dir, edit, renameKeys);
    }

    /**
     * A valid file in {@code dir} with entries "layers.0.k" (key layers_0_k) and "v" whose metadata
     * {@code edit} changes and whose keys {@code renameKeys} renames (tensors and metadata), re-signed.
     */
    static Path forged(Path dir, Consumer<Map<String, String>> edit, Map<String, String> renameKeys) throws Exception {
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        entries.put("layers.0.k", sample(1));
        entries.put("v", sample(2));
        Path good = dir.resolve("good" + System.nanoTime() + ".qvg.safetensors");
        QuantizedKvFile.write(good, entries, null, false);
        Path forged = dir.resolve("forged" + System.nanoTime() + ".qvg.safetensors");
        try (SafeTensorsReader r = SafeTensorsReader.open(good)) {
            Map<String, String> meta = new LinkedHashMap<>();
            r.metadata().forEach((k, v) -> meta.put(rename(k, renameKeys), v));
            edit.accept(meta);
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            SafeTensorsWriter w = new SafeTensorsWriter();
            long off = 0;
            for (String n : r.names()) {
                byte[] b = r.bytes(n);
                String to = rename(n, renameKeys);
                infos.put(to, new TensorInfo(to, r.info(n).dtype(), r.info(n).shape(), off, off + b.length));
                off += b.length;
                meta.remove(QuantizedKvFile.SHA_PREFIX + n);
                meta.put(QuantizedKvFile.SHA_PREFIX + to, Checksums.sha256Hex(b));
                w.addRaw(to, r.info(n).dtype(), r.info(n).shape(), b);
            }
            meta.put(QuantizedKvFile.KEY_HEADER_SHA, Checksums.headerDigest(meta, infos, QuantizedKvFile.KEY_HEADER_SHA));
            w.metadata(meta).write(forged, false);
        }
        return forged;
    }

    private static String rename(String s, Map<String, String> keys) {
        for (Map.Entry<String, String> e : keys.entrySet()) {
            if (s.startsWith(e.getKey() + ".")) {
                return e.getValue() + s.substring(e.getKey().length());
            }
            if (s.startsWith(QuantizedKvFile.SHA_PREFIX + e.getKey() + ".")) {
                return QuantizedKvFile.SHA_PREFIX + e.getValue() + s.substring(QuantizedKvFile.SHA_PREFIX.length()
                        + e.getKey().length());
            }
        }
        return s;
    }

    private static void assertRefused(Path f, String part, String words) {
        for (Executable read : List.<Executable>of(() -> QuantizedKvFile.read(f), () -> QuantizedKvStreamReader.open(f).close())) {
            CorruptFileException e = assertThrows(CorruptFileException.class, read);
            assertEquals(part, e.part(), e.getMessage());
            assertTrue(e.getMessage().contains(words), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void readersRefuseSignedFilesWithHostileNamesOrKeys() throws Exception {
        assertEquals(List.of("layers.0.k", "v"), QuantizedKvFile.read(forged(m -> { }, Map.of())).entries().keySet()
                .stream().toList(), "the unedited forgery reads");
        assertRefused(forged(m -> m.put("layers_0_k.name", "a\nforged=line"), Map.of()), "entry 'layers_0_k'",
                "entry name \"a\\nforged=line\" is not allowed");
        assertRefused(forged(m -> m.put("layers_0_k.name", "__metadata__"), Map.of()), "entry 'layers_0_k'", "reserved");
        assertRefused(forged(m -> m.put("v.name", "layers.0.k"), Map.of()), "entry 'v'",
                "its name layers.0.k is also the name of entry 'layers_0_k'");
        // a key that is a path (a tool writing a file per entry would use it): refused though signed
        assertRefused(forged(m -> m.put("qvg.entries", "../x,v"), Map.of("layers_0_k", "../x")), "entry '../x'",
                "entry key \"../x\" in 'qvg.entries' must be 1-64 of [A-Za-z0-9_]");
    }

    @Test
    void aConfigDisagreementNamesTheEntryByItsName() throws Exception {
        QuantizedKv q = QuantizedKvFileTest.sample(SHAPE, new BlockQuantConfig(4, 16, true, ScalePrecision.BF16),
                Orientation.TOKEN_MAJOR, 1, 4, 0, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantizedKvFile.write(
                dir.resolve("x.qvg.safetensors"), Map.of("layers.0.k", q), QuantizerConfig.publishedInt2(), false));
        assertTrue(e.getMessage().contains("entry 'layers.0.k' holds 4-bit codes"), e.getMessage());
    }
}
