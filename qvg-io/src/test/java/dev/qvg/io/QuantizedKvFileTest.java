package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantizedKvFileTest {

    @TempDir
    Path dir;

    static float[] gaussian(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 4 - 2);
        }
        return v;
    }

    /**
     * A realistic quantized tensor built with the reference codec: {@code stages} random cluster
     * stages, {@code tail} full-precision tokens, blocks in the given orientation.
     */
    static QuantizedKv sample(KvShape shape, BlockQuantConfig cfg, Orientation o, int stages, int clusters, int tail,
                              long seed) {
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim(), Sq = S - tail;
        SplittableRandom rng = new SplittableRandom(seed);
        List<ClusterStage> st = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            int[] ids = new int[n * Sq];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rng.nextInt(clusters);
            }
            int[] iters = new int[n];
            for (int i = 0; i < n; i++) {
                iters[i] = 1 + rng.nextInt(100);
            }
            st.add(ClusterStage.ofFloatCentroids(n, Sq, D, clusters, gaussian(n * clusters * D, seed + s), ids, iters));
        }
        float[] x = gaussian(n * Sq * D, seed + 100);
        PackedBlocks blocks = o == Orientation.TOKEN_MAJOR
                ? BlockCodec.quantize(x, 0, n * Sq, D, cfg)
                : BlockCodec.quantize(x, 0, n * D, Sq, cfg);
        short[] tailBits = new short[n * tail * D];
        float[] tv = gaussian(tailBits.length, seed + 200);
        for (int i = 0; i < tailBits.length; i++) {
            tailBits[i] = Bf16.fromFloat(tv[i]);
        }
        return new QuantizedKv(shape, KvRole.KEY, "prq", o, Sq, blocks, st, tailBits,
                Map.of("clusters", Integer.toString(clusters), "note", "caf\u00e9 \"quoted\""));
    }

    static void assertSame(QuantizedKv a, QuantizedKv b) {
        assertEquals(a.shape(), b.shape());
        assertEquals(a.role(), b.role());
        assertEquals(a.method(), b.method());
        assertEquals(a.orientation(), b.orientation());
        assertEquals(a.quantizedTokens(), b.quantizedTokens());
        assertEquals(a.info(), b.info());
        assertEquals(a.budget(), b.budget());
        assertEquals(a.blocks().config(), b.blocks().config());
        assertArrayEquals(a.blocks().codes(), b.blocks().codes());
        assertArrayEquals(a.blocks().scales(), b.blocks().scales());
        assertArrayEquals(a.blocks().zeros(), b.blocks().zeros());
        assertEquals(a.stages().size(), b.stages().size());
        for (int s = 0; s < a.stages().size(); s++) {
            assertArrayEquals(a.stages().get(s).centroids(), b.stages().get(s).centroids());
            assertArrayEquals(a.stages().get(s).ids(), b.stages().get(s).ids());
            assertArrayEquals(a.stages().get(s).iterations(), b.stages().get(s).iterations());
        }
        assertArrayEquals(a.fullPrecisionTail(), b.fullPrecisionTail());
        float[] da = ReferenceDecoder.decode(a).data(), db = ReferenceDecoder.decode(b).data();
        for (int i = 0; i < da.length; i++) {
            assertEquals(Float.floatToRawIntBits(da[i]), Float.floatToRawIntBits(db[i]), "decoded element " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "2, true, BF16, TOKEN_MAJOR", "2, false, FP8_E4M3, TOKEN_MAJOR", "3, true, FP8_E4M3, CHANNEL_MAJOR",
        "3, false, BF16, TOKEN_MAJOR", "4, true, BF16, CHANNEL_MAJOR", "4, false, BF16, CHANNEL_MAJOR",
        "8, true, BF16, TOKEN_MAJOR", "8, false, FP8_E4M3, TOKEN_MAJOR"})
    void roundTripIsBitExact(int bits, boolean symmetric, ScalePrecision precision, Orientation o) throws Exception {
        KvShape shape = new KvShape(1, 2, 64, 32);
        BlockQuantConfig cfg = new BlockQuantConfig(bits, 16, symmetric, precision);
        QuantizedKv q = sample(shape, cfg, o, 2, 16, o == Orientation.CHANNEL_MAJOR ? 16 : 0, bits);
        Path p = dir.resolve("q.qvg.safetensors");
        QuantizedKvFile.write(p, Map.of("k", q), false);
        QuantizedKvFile.Contents c = QuantizedKvFile.read(p);
        assertNull(c.config());
        assertSame(q, c.entry("k"));
    }

    @Test
    void keysValuesWideIdsTailAndConfigRoundTrip() throws Exception {
        KvShape shape = new KvShape(2, 2, 40, 16);
        QuantizedKv k = sample(shape, BlockQuantConfig.publishedInt2().withBlockSize(16), Orientation.TOKEN_MAJOR, 3, 300, 8, 1);
        // the config's bits and scale precision: a file's config must agree with its entries
        QuantizedKv v = sample(shape, new BlockQuantConfig(2, 8, false, ScalePrecision.BF16), Orientation.TOKEN_MAJOR,
                0, 1, 0, 2);
        QuantizerConfig cfg = QuantizerConfig.builder().method("prq").stages(3).clusters(300).bits(2).blockSize(16)
                .seed(-42).init(KMeansInit.KMEANS_PLUS_PLUS).param("clip_percentile", String.valueOf(99.5)).params(Map.of("x", "1")).build();
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        entries.put("k", k);
        entries.put("v", v);
        Path p = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(p, entries, cfg, false);
        QuantizedKvFile.Contents c = QuantizedKvFile.read(p);
        assertEquals(List.of("k", "v"), List.copyOf(c.entries().keySet()));
        assertEquals(cfg, c.config());
        assertSame(k, c.entry("k"));
        assertSame(v, c.entry("v"));
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            // Standard dtypes only, ids widened to U16 past 256 clusters, bf16 payloads as U16 bits.
            assertEquals(DType.U16, r.info("k.stage0.ids").dtype());
            assertEquals(DType.U16, r.info("k.stage0.centroids").dtype());
            assertEquals(DType.U16, r.info("v.scales").dtype());
            assertArrayEquals(new long[] {2, 2, 8, 16}, r.info("k.tail").shape());
            assertEquals(Long.toString(k.budget().totalBits()), r.metadata().get("k.budget.total_bits"));
            assertEquals(Double.toString(k.budget().bitsPerValue()), r.metadata().get("k.budget.bits_per_value"));
        }
        assertThrows(FileAlreadyExistsException.class, () -> QuantizedKvFile.write(p, entries, cfg, false));
        // FP8 scales are stored as U8 (here without a config, which would have to say FP8 too)
        QuantizedKv fp8 = sample(shape, new BlockQuantConfig(4, 8, false, ScalePrecision.FP8_E4M3), Orientation.TOKEN_MAJOR,
                0, 1, 0, 2);
        QuantizedKvFile.write(p, Map.of("v", fp8), null, true);
        assertEquals(List.of("v"), List.copyOf(QuantizedKvFile.read(p).entries().keySet()));
        assertSame(fp8, QuantizedKvFile.read(p).entry("v"));
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            assertEquals(DType.U8, r.info("v.scales").dtype());
        }
    }

    private Path written() throws Exception {
        KvShape shape = new KvShape(1, 1, 32, 16);
        QuantizedKv q = sample(shape, BlockQuantConfig.publishedInt2().withBlockSize(16), Orientation.TOKEN_MAJOR, 1, 4, 0, 5);
        Path p = dir.resolve("c.qvg.safetensors");
        QuantizedKvFile.write(p, Map.of("k", q), QuantizerConfig.publishedInt2(), true);
        return p;
    }

    @Test
    void corruptedDataIsNamed() throws Exception {
        Path p = written();
        long dataStart;
        TensorInfo codes;
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            codes = r.info("k.codes");
        }
        byte[] b = Files.readAllBytes(p);
        dataStart = 8 + ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        b[(int) (dataStart + codes.begin() + 3)] ^= 0x10;
        Files.write(p, b);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(p));
        assertEquals("checksum of tensor 'k.codes'", e.part());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test
    void corruptedHeaderIsNamed() throws Exception {
        Path p = written();
        byte[] b = Files.readAllBytes(p);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("\"k.method\":\"prq\"");
        assertTrue(at > 0);
        b[at + "\"k.method\":\"".length()] = 's'; // prq -> srq, same length: still valid JSON
        Files.write(p, b);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(p));
        assertEquals("header checksum", e.part());
    }

    @Test
    void plainSafetensorsIsNotAQuantizedCache() throws Exception {
        Path p = dir.resolve("plain.safetensors");
        new SafeTensorsWriter().addFloats("k", DType.F32, new long[] {1}, new float[1]).write(p, false);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(p));
        assertTrue(e.getMessage().contains("not a quantized-cache file"), e.getMessage());
    }

    @Test
    void consistentButWrongMetadataIsRefused() throws Exception {
        // A tool that rewrites metadata and recomputes the digests still cannot smuggle in a lie.
        Path p = written();
        Path forged = dir.resolve("forged.qvg.safetensors");
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            Map<String, String> meta = new LinkedHashMap<>(r.metadata());
            meta.put("k.budget.total_bits", "1");
            meta.put(QuantizedKvFile.KEY_HEADER_SHA, Checksums.headerDigest(meta, r.header().tensors(), QuantizedKvFile.KEY_HEADER_SHA));
            SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
            for (String n : r.names()) {
                w.addRaw(n, r.info(n).dtype(), r.info(n).shape(), r.bytes(n));
            }
            w.write(forged, false);
        }
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(forged));
        assertEquals("entry 'k'", e.part());
        assertTrue(e.getMessage().contains("budget.total_bits"), e.getMessage());
    }
}
