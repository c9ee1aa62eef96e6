package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.inject.Pipelines;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cpu.CpuBackend;
import dev.qvg.io.DType;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.SafeTensorsWriter;
import dev.qvg.io.VideoKvConfig;
import dev.qvg.io.VideoKvGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Same seed, same bits: for every quantizer method on the {@code cpu} backend (assembled through
 * {@link Pipelines}), K and V quantized twice with one worker and once with 2 and 8 give
 * bit-identical codes, scales, zeros, centroids, ids, iteration counts and tails; the input read
 * back from a BF16 safetensors and an npy file quantizes to the same bits; the output written to
 * a quantized-cache file reads back bit-identical and re-writes to the identical file.
 */
class QuantizerDeterminismTest {

    /** Video-like K/V, 4 heads x 512 tokens x 64, rounded to bf16 so a BF16 file holds them exactly. */
    private static final VideoKvGenerator.VideoKv DATA = bf16(VideoKvGenerator.generate(
            VideoKvConfig.defaults().withSize(8, 8, 8, 4, 64).withSeed(7)));

    @TempDir
    Path dir;

    static QuantizerConfig config(String method) {
        QuantizerConfig.Builder b = QuantizerConfig.builder().method(method)
                .quant(new BlockQuantConfig(2, 32, true, ScalePrecision.BF16))
                .clusters(32).maxIters(15).seed(12345);
        return switch (method) {
            case "kivi" -> b.param("kivi_group_size", String.valueOf(32)).param("kivi_residual_tokens", String.valueOf(40)).build();
            case "prq" -> b.stages(3).build();
            default -> b.build();
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtn", "rtn-clip", "kivi", "sas", "prq"})
    void sameSeedSameBitsAcrossRunsThreadCountsAndFiles(String method) throws IOException {
        QuantizerConfig cfg = config(method);
        for (KvRole role : KvRole.values()) {
            KvTensor x = role == KvRole.KEY ? DATA.keys() : DATA.values();
            QuantizedKv ref = Quantize.run(cfg, 1, x, role);
            assertSameBits(ref, Quantize.run(cfg, 1, x, role), method + " " + role + ": second run, 1 thread");
            for (int threads : new int[] {2, 8}) {
                Quantizer q = Quantize.quantizer(cfg, threads);
                QuantizedKv got = q.quantize(x, role);
                assertSameBits(ref, got, method + " " + role + ": " + threads + " threads");
                assertArrayEquals(Quantize.quantizer(cfg, 1).dequantize(ref).data(), q.dequantize(got).data(),
                        method + " " + role + ": dequantized with " + threads + " threads");
            }
            assertSameBits(ref, Quantize.run(cfg, 2, throughSafeTensors(x), role), method + " " + role + ": input via BF16 safetensors");
            assertSameBits(ref, Quantize.run(cfg, 2, throughNpy(x), role), method + " " + role + ": input via npy");
            quantizedFileRoundTrip(method, role, ref, cfg);
        }
    }

    /** The thread property reaches the backend, so the thread counts above are real. */
    @Test
    void threadCountReachesTheCpuBackend() {
        for (int threads : new int[] {1, 2, 8}) {
            String old = System.getProperty(Quantize.THREADS_PROPERTY);
            System.setProperty(Quantize.THREADS_PROPERTY, Integer.toString(threads));
            try {
                Backend b = Pipelines.injector(config("prq")).getInstance(Backend.class);
                assertEquals(CpuBackend.class, b.getClass());
                assertEquals(threads, ((CpuBackend) b).threads());
            } finally {
                if (old == null) {
                    System.clearProperty(Quantize.THREADS_PROPERTY);
                } else {
                    System.setProperty(Quantize.THREADS_PROPERTY, old);
                }
            }
        }
    }

    /** A different seed changes the clustering (so the comparisons above are not vacuous). */
    @Test
    void anotherSeedGivesOtherCentroids() {
        QuantizedKv a = Quantize.run(config("sas"), 2, DATA.keys(), KvRole.KEY);
        QuantizedKv b = Quantize.run(QuantizerConfig.builder().method("sas").quant(config("sas").quant())
                .clusters(32).maxIters(15).seed(54321).build(), 2, DATA.keys(), KvRole.KEY);
        assertNotEquals(java.util.Arrays.hashCode(a.stages().get(0).centroids()),
                java.util.Arrays.hashCode(b.stages().get(0).centroids()));
    }

    private void quantizedFileRoundTrip(String method, KvRole role, QuantizedKv ref, QuantizerConfig cfg) throws IOException {
        Path first = dir.resolve(method + "-" + role + "-1.qvg.safetensors");
        Path second = dir.resolve(method + "-" + role + "-2.qvg.safetensors");
        QuantizedKvFile.write(first, Map.of("x", ref), cfg, false);
        QuantizedKvFile.Contents back = QuantizedKvFile.read(first);
        assertSameBits(ref, back.entry("x"), method + " " + role + ": quantized file round trip");
        assertEquals(cfg, back.config(), method + ": config round trip");
        QuantizedKvFile.write(second, back.entries(), back.config(), false);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second),
                method + " " + role + ": re-writing what was read gives a different file");
    }

    private KvTensor throughSafeTensors(KvTensor x) throws IOException {
        Path p = Files.createTempFile(dir, "in", ".safetensors");
        new SafeTensorsWriter().addKv("x", x, DType.BF16, Layout.BSHD).write(p, true);
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            return r.kvTensor("x", Layout.BSHD).toBhsd();
        }
    }

    private KvTensor throughNpy(KvTensor x) throws IOException {
        Path p = Files.createTempFile(dir, "in", ".npy");
        Npy.writeKv(p, x, DType.F32, Layout.BHSD, true);
        return Npy.readKv(p, Layout.BHSD);
    }

    /** Every stored component, compared bit for bit. */
    static void assertSameBits(QuantizedKv a, QuantizedKv b, String what) {
        assertEquals(a.shape(), b.shape(), what + ": shape");
        assertEquals(a.role(), b.role(), what + ": role");
        assertEquals(a.method(), b.method(), what + ": method");
        assertEquals(a.orientation(), b.orientation(), what + ": orientation");
        assertEquals(a.quantizedTokens(), b.quantizedTokens(), what + ": quantized tokens");
        assertEquals(a.blocks() == null, b.blocks() == null, what + ": blocks present");
        if (a.blocks() != null) {
            assertEquals(a.blocks().config(), b.blocks().config(), what + ": block config");
            assertArrayEquals(a.blocks().codes(), b.blocks().codes(), what + ": codes");
            assertArrayEquals(a.blocks().scales(), b.blocks().scales(), what + ": scales");
            assertArrayEquals(a.blocks().zeros(), b.blocks().zeros(), what + ": zeros");
        }
        assertEquals(a.stages().size(), b.stages().size(), what + ": stage count");
        for (int i = 0; i < a.stages().size(); i++) {
            ClusterStage sa = a.stages().get(i), sb = b.stages().get(i);
            assertEquals(sa.clusters(), sb.clusters(), what + ": stage " + i + " clusters");
            assertArrayEquals(sa.centroids(), sb.centroids(), what + ": stage " + i + " centroids");
            assertArrayEquals(sa.ids(), sb.ids(), what + ": stage " + i + " ids");
            assertArrayEquals(sa.iterations(), sb.iterations(), what + ": stage " + i + " iterations");
        }
        assertArrayEquals(a.fullPrecisionTail(), b.fullPrecisionTail(), what + ": full-precision tail");
        assertEquals(a.info(), b.info(), what + ": info");
    }

    private static VideoKvGenerator.VideoKv bf16(VideoKvGenerator.VideoKv kv) {
        float[] k = kv.keys().data().clone(), v = kv.values().data().clone();
        Bf16.roundInPlace(k);
        Bf16.roundInPlace(v);
        return new VideoKvGenerator.VideoKv(KvTensor.wrap(kv.keys().shape(), k), KvTensor.wrap(kv.values().shape(), v),
                kv.config(), kv.outlierChannels());
    }
}
