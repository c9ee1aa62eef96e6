package dev.qvg.cuda;

import static dev.qvg.cuda.HostEmulationTest.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.reference.SpanEncoding;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The backend on a real GPU against {@link ReferenceBackend}: everything bit for bit, and the
 * coarse operations against their compositions from the same backend's fine kernels, up to a
 * LongCat-Video head (29640 tokens). Skips, printing the reason, where no GPU is usable.
 */
@Tag("gpu")
class CudaBackendTest {

    private static final long SEED = 0xC0DA_5EEDL;
    private static CudaBackend gpu;
    private static final ReferenceBackend REF = new ReferenceBackend();

    /**
     * {@code -Dqvg.cuda.emulate=true} runs this class on the host emulation instead of a GPU
     * (slow: a few minutes), to check the test itself where no GPU is at hand.
     */
    private static final boolean EMULATE = Boolean.getBoolean("qvg.cuda.emulate");

    @BeforeAll
    static void open() {
        // A small upload chunk, so that quantizePack runs its two-stream pipeline over many chunks.
        if (EMULATE) {
            HostEmulator.requireFor("CudaBackendTest");
            gpu = new CudaBackend(new EmulatedDevice(), 1000);
        } else if (new CudaBackendProvider().availability().available()) {
            gpu = new CudaBackend(CudaDevice.open(0), 1000);
        }
    }

    @BeforeEach
    void needsGpu(TestInfo info) {
        if (!EMULATE) {
            GpuAssumptions.assumeGpu("CudaBackendTest." + info.getTestMethod().map(m -> m.getName()).orElse("?"));
        }
    }

    private static Gpu newDevice() {
        return EMULATE ? new EmulatedDevice() : CudaDevice.open(0);
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
    }

    private static float[] gaussian(SplittableRandom r, int n, double sd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * sd);
        }
        return x;
    }

    @Test
    void assignAndUpdateEqualTheReferenceOverManyTilesAndSlices() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int[] shape : new int[][] {{3, 200, 20, 70}, {2, 1000, 128, 256}, {5, 17, 3, 1}}) {
            SliceBatch b = new SliceBatch(shape[0], shape[1], shape[2]);
            int K = shape[3];
            float[] pts = gaussian(r, b.numel(), 1);
            float[] cen = gaussian(r, b.slices() * K * b.dim(), 1);
            int[] ids = new int[b.rows()];
            Arrays.fill(ids, -1);
            boolean[] active = new boolean[b.slices()];
            Arrays.fill(active, true);
            active[b.slices() - 1] = b.slices() == 1;
            int[] refIds = ids.clone(), gotIds = ids.clone();
            int[] refCh = new int[b.slices()], gotCh = new int[b.slices()];
            Arrays.fill(refCh, 99);
            Arrays.fill(gotCh, 99);
            float[] refCen = cen.clone(), gotCen = cen.clone();
            for (int it = 0; it < 3; it++) {
                REF.assign(b, pts, refCen, K, refIds, refCh, active);
                gpu.assign(b, pts, gotCen, K, gotIds, gotCh, active);
                assertArrayEquals(refIds, gotIds, "ids, iteration " + it);
                assertArrayEquals(refCh, gotCh, "changed, iteration " + it);
                REF.updateCentroids(b, pts, refIds, K, refCen, active);
                gpu.updateCentroids(b, pts, gotIds, K, gotCen, active);
                assertBitsEqual(refCen, gotCen, "centroids, iteration " + it);
            }
        }
    }

    @Test
    void subtractAndAccumulateAreExact() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        SliceBatch b = new SliceBatch(4, 33, 40);
        int K = 7;
        float[] pts = gaussian(r, b.numel(), 2), cen = gaussian(r, 4 * K * 40, 1);
        int[] ids = r.ints(b.rows(), 0, K).toArray();
        float[] ref = pts.clone(), got = pts.clone();
        REF.subtractCentroids(b, ref, ids, cen, K);
        gpu.subtractCentroids(b, got, ids, cen, K);
        assertBitsEqual(ref, got, "subtract");
        REF.accumulateCentroids(b, ref, ids, cen, K);
        gpu.accumulateCentroids(b, got, ids, cen, K);
        assertBitsEqual(ref, got, "accumulate");
    }

    @Test
    void quantizePackAndDequantAreBitExactForEveryFormat() {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        for (int bits : new int[] {2, 3, 4, 8}) {
            for (boolean sym : new boolean[] {true, false}) {
                for (ScalePrecision p : ScalePrecision.values()) {
                    for (int block : new int[] {16, 64, 7}) {
                        BlockQuantConfig cfg = new BlockQuantConfig(bits, block, sym, p);
                        int rows = 301, cols = block * 5;
                        float[] x = gaussian(r, rows * cols, r.nextBoolean() ? 1 : 1e-3);
                        x[0] = -0f;
                        x[1] = 2.5f;
                        PackedBlocks ref = REF.quantizePack(x, rows, cols, cfg);
                        PackedBlocks got = gpu.quantizePack(x, rows, cols, cfg);
                        assertArrayEquals(ref.codes(), got.codes(), "codes " + cfg);
                        assertArrayEquals(ref.scales(), got.scales(), "scales " + cfg);
                        if (!sym) {
                            assertArrayEquals(ref.zeros(), got.zeros(), "zeros " + cfg);
                        }
                        float[] a = new float[x.length], g = new float[x.length];
                        REF.unpackDequant(ref, a);
                        gpu.unpackDequant(ref, g);
                        assertBitsEqual(a, g, "dequant " + cfg);
                    }
                }
            }
        }
    }

    @Test
    void fusedDecodeEqualsTheComposedReferenceInFloatAndBf16() {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        SliceBatch b = new SliceBatch(6, 50, 128);
        float[] x = gaussian(r, b.numel(), 1);
        PackedBlocks blocks = REF.quantizePack(x, b.rows(), b.dim(), BlockQuantConfig.publishedInt2());
        List<ClusterStage> stages = List.of(stage(r, b, 16), stage(r, b, 4));
        float[] ref = new float[b.numel()], got = new float[b.numel()];
        REF.decode(b, blocks, stages, ref);
        gpu.decode(b, blocks, stages, got);
        assertBitsEqual(ref, got, "decode");
        short[] bf = new short[b.numel()];
        gpu.decodeBf16(b, blocks, stages, bf);
        for (int i = 0; i < bf.length; i++) {
            assertEquals(Bf16.fromFloat(ref[i]), bf[i], "bf16 decode at " + i);
        }
    }

    private static ClusterStage stage(SplittableRandom r, SliceBatch b, int k) {
        return ClusterStage.ofFloatCentroids(b.slices(), b.tokens(), b.dim(), k, gaussian(r, b.slices() * k * b.dim(), 1),
                r.ints(b.rows(), 0, k).toArray(), new int[b.slices()]);
    }

    /** Tokens around a few hundred prototypes per slice, so k-means has real clusters to find. */
    private static float[] clustered(SplittableRandom r, SliceBatch b, int prototypes) {
        float[] x = new float[b.numel()];
        int S = b.tokens(), D = b.dim();
        for (int i = 0; i < b.slices(); i++) {
            float[] protos = gaussian(r, prototypes * D, 2);
            for (int s = 0; s < S; s++) {
                int p = r.nextInt(prototypes);
                for (int d = 0; d < D; d++) {
                    x[(i * S + s) * D + d] = protos[p * D + d] + (float) (r.nextGaussian() * 0.3);
                }
            }
        }
        return x;
    }

    private static void assertSameClustering(ClusteringResult want, ClusteringResult got, String what) {
        assertArrayEquals(want.iterations(), got.iterations(), what + ": iterations");
        assertArrayEquals(want.ids(), got.ids(), what + ": ids");
        assertBitsEqual(want.centroids(), got.centroids(), what + ": centroids");
    }

    private static void assertSameCode(ResidualCode want, ResidualCode got, String what) {
        assertEquals(want.stages().size(), got.stages().size(), what + ": stages");
        for (int s = 0; s < want.stages().size(); s++) {
            assertArrayEquals(want.stages().get(s).iterations(), got.stages().get(s).iterations(), what + ": iterations " + s);
            assertArrayEquals(want.stages().get(s).ids(), got.stages().get(s).ids(), what + ": ids " + s);
            assertArrayEquals(want.stages().get(s).centroids(), got.stages().get(s).centroids(), what + ": centroids " + s);
        }
        assertArrayEquals(want.blocks().codes(), got.blocks().codes(), what + ": codes");
        assertArrayEquals(want.blocks().scales(), got.blocks().scales(), what + ": scales");
    }

    @Test
    void clusterEqualsItsCompositionAndTheReferenceAtAModelLikeSize() {
        SplittableRandom r = new SplittableRandom(SEED + 4);
        SliceBatch b = new SliceBatch(4, 2048, 128, 3);
        float[] x = clustered(r, b, 300);
        for (KMeansInit init : KMeansInit.values()) {
            for (double tol : new double[] {0, 2e-3}) {
                KMeansConfig c = new KMeansConfig(256, 6, tol, r.nextLong(), init);
                ClusteringResult got = gpu.cluster(b, x, c, null);
                String what = b + " " + init + " tol=" + tol;
                assertSameClustering(LloydKMeans.run(gpu, b, x, c, null), got, what + " vs its composition");
                if (init == KMeansInit.RANDOM && tol == 0) {
                    assertSameClustering(LloydKMeans.run(REF, b, x, c, null), got, what + " vs the reference");
                }
            }
        }
    }

    @Test
    void clusterOfALongCatHeadEqualsItsComposition() {
        SplittableRandom r = new SplittableRandom(SEED + 5);
        SliceBatch b = new SliceBatch(2, 29640, 128);
        float[] x = clustered(r, b, 500);
        KMeansConfig c = new KMeansConfig(256, 3, 0, 9, KMeansInit.RANDOM);
        assertSameClustering(LloydKMeans.run(gpu, b, x, c, null), gpu.cluster(b, x, c, null), "LongCat head");
    }

    @Test
    void encodeSpanEqualsItsCompositionForZeroToThreeStages() {
        SplittableRandom r = new SplittableRandom(SEED + 6);
        SliceBatch b = new SliceBatch(3, 1500, 128);
        float[] x = clustered(r, b, 200);
        for (int stages = 0; stages <= 3; stages++) {
            KMeansInit init = stages == 2 ? KMeansInit.KMEANS_PLUS_PLUS : KMeansInit.RANDOM;
            BlockQuantConfig q = stages % 2 == 0 ? BlockQuantConfig.publishedInt2()
                    : new BlockQuantConfig(4, 16, false, ScalePrecision.FP8_E4M3);
            SpanPlan p = new SpanPlan(stages, new KMeansConfig(128, 5, stages == 3 ? 1e-3 : 0, 5, init), q, null);
            float[] gotX = x.clone(), wantX = x.clone();
            ResidualCode got = gpu.encodeSpan(b, gotX, p);
            ResidualCode want = SpanEncoding.compose(gpu, b, wantX, p);
            assertSameCode(want, got, "stages=" + stages);
            assertBitsEqual(wantX, gotX, "final residual, stages=" + stages);
        }
    }

    @Test
    void badArgumentsFailBeforeAnythingRunsAndAClosedBackendRefusesWork() {
        SliceBatch b = new SliceBatch(1, 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpu.subtractCentroids(b, new float[8], new int[] {0, 1, 2, 5}, new float[6], 3));
        assertTrue(e.getMessage().startsWith("ids:"), e.getMessage());
        CudaBackend other = new CudaBackend(newDevice());
        other.close();
        other.close();
        assertThrows(IllegalStateException.class,
                () -> other.quantizePack(new float[64], 1, 64, BlockQuantConfig.publishedInt2()));
    }
}
