package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kernel against {@link ReferenceBackend} on random inputs: the CPU kernels are bit-exact. */
class CpuBackendEqualityTest {

    private static CpuBackend cpu;
    /** Forced onto the GEMM path for every size (where ND4J loads; else it is the Java path). */
    private static CpuBackend gemm;
    /** Forced onto the SIMD assignment for every size (where the Vector API runs; else like {@link #cpu}). */
    private static CpuBackend vector;
    private static final ReferenceBackend REF = new ReferenceBackend();

    @BeforeAll
    static void open() throws InterruptedException {
        // The SIMD block kernels in use where this JVM allows them; the build's simd-off run of the
        // conformance kit and BlockKernelsFuzzTest cover the scalar ones.
        Simd.warmUpNow();
        cpu = new CpuBackend(2, Long.MAX_VALUE, false);
        gemm = new CpuBackend(2, 0, false);
        vector = new CpuBackend(2, 0, true);
    }

    @AfterAll
    static void shut() {
        cpu.close();
        gemm.close();
        vector.close();
    }

    static List<CpuBackend> both() {
        return List.of(cpu, gemm, vector);
    }

    static float[] gaussian(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * scale;
        }
        return a;
    }

    /** Centroids drawn from the points, as k-means initialises them. */
    static float[] fromPoints(Random r, SliceBatch b, float[] x, int k) {
        float[] c = new float[b.slices() * k * b.dim()];
        for (int i = 0; i < b.slices(); i++) {
            for (int j = 0; j < k; j++) {
                int row = i * b.tokens() + r.nextInt(b.tokens());
                System.arraycopy(x, row * b.dim(), c, (i * k + j) * b.dim(), b.dim());
            }
        }
        return c;
    }

    @ParameterizedTest(name = "slices={0} S={1} D={2} K={3}")
    @CsvSource({"1, 1000, 128, 256", "3, 333, 64, 17", "2, 257, 256, 64", "1, 1, 64, 1", "2, 100, 3, 65",
            "1, 130, 128, 130"})
    void assignAndUpdateMatchTheReferenceBitForBit(int slices, int S, int D, int K) {
        Random r = new Random(31L * S + D + K);
        SliceBatch b = new SliceBatch(slices, S, D);
        float[] x = gaussian(r, b.numel(), 1f);
        float[] c = fromPoints(r, b, x, K);
        for (CpuBackend backend : both()) {
            int[] idsRef = new int[b.rows()];
            Arrays.fill(idsRef, -1);
            int[] idsCpu = idsRef.clone();
            float[] cRef = c.clone(), cCpu = c.clone();
            for (int iter = 0; iter < 3; iter++) {
                int[] chRef = new int[slices], chCpu = new int[slices];
                REF.assign(b, x, cRef, K, idsRef, chRef, null);
                backend.assign(b, x, cCpu, K, idsCpu, chCpu, null);
                assertArrayEquals(idsRef, idsCpu, "ids, iteration " + iter);
                assertArrayEquals(chRef, chCpu, "changed, iteration " + iter);
                REF.updateCentroids(b, x, idsRef, K, cRef, null);
                backend.updateCentroids(b, x, idsCpu, K, cCpu, null);
                assertArrayEquals(cRef, cCpu, "centroids, iteration " + iter);
            }
            if (S > 1 && K > 1) {
                assertTrue(Arrays.stream(idsCpu).distinct().count() > 1, "a real clustering uses several clusters");
            }
        }
    }

    /**
     * Near ties under heavy cancellation: a large common offset makes {@code |x|^2} and
     * {@code |c|^2} dwarf the distances, so GEMM round-off flips many arg-mins unless re-checked.
     */
    @Test
    void nearTiesUnderCancellationMatchTheReference() {
        Random r = new Random(77);
        SliceBatch b = new SliceBatch(2, 700, 128);
        float[] x = gaussian(r, b.numel(), 0.01f);
        for (int i = 0; i < x.length; i++) {
            x[i] += 30f + (i % 128) * 0.25f;
        }
        float[] c = fromPoints(r, b, x, 64);
        for (int i = 0; i < 64 * 128; i += 3) {
            c[i] = Math.nextUp(c[i]);
        }
        for (CpuBackend backend : both()) {
            int[] idsRef = new int[b.rows()], idsCpu = new int[b.rows()];
            int[] chRef = new int[2], chCpu = new int[2];
            REF.assign(b, x, c, 64, idsRef, chRef, null);
            backend.assign(b, x, c, 64, idsCpu, chCpu, null);
            assertArrayEquals(idsRef, idsCpu);
            assertArrayEquals(chRef, chCpu);
        }
    }

    /** S=2100 at K=2048 makes the GEMM path split the slice into chunks of 2048 and 52 rows. */
    @Test
    void aSliceLargerThanOneGemmChunkMatchesTheReference() {
        Random r = new Random(8);
        SliceBatch b = new SliceBatch(1, 2100, 8);
        int K = 2048;
        assertTrue(GemmAssign.MAX_CHUNK_FLOATS / K < b.tokens(), "the case must span two chunks");
        float[] x = gaussian(r, b.numel(), 1f);
        float[] c = fromPoints(r, b, x, K);
        for (CpuBackend backend : both()) {
            int[] idsRef = new int[b.rows()], idsCpu = new int[b.rows()];
            int[] chRef = new int[1], chCpu = new int[1];
            REF.assign(b, x, c, K, idsRef, chRef, null);
            backend.assign(b, x, c, K, idsCpu, chCpu, null);
            assertArrayEquals(idsRef, idsCpu);
            assertArrayEquals(chRef, chCpu);
        }
    }

    @Test
    void nonFiniteRowsAndCentroidsMatchTheReference() {
        Random r = new Random(3);
        SliceBatch b = new SliceBatch(2, 200, 64);
        float[] x = gaussian(r, b.numel(), 1f);
        float[] c = fromPoints(r, b, x, 8);
        x[5 * 64 + 3] = Float.NaN;
        x[9 * 64] = Float.POSITIVE_INFINITY;
        x[17 * 64 + 1] = 3e38f;
        c[(8 + 2) * 64 + 7] = Float.NEGATIVE_INFINITY;
        for (CpuBackend backend : both()) {
            int[] idsRef = new int[b.rows()], idsCpu = new int[b.rows()];
            REF.assign(b, x, c, 8, idsRef, new int[2], null);
            backend.assign(b, x, c, 8, idsCpu, new int[2], null);
            assertArrayEquals(idsRef, idsCpu);
        }
    }

    @Test
    void theVectorPathRunsInTheBuild() {
        // The build starts every test JVM with the Vector API; if it did not, the SIMD k-means
        // would go untested while the others pass.
        assertTrue(Simd.enabled(), Simd.status());
        assertTrue(vector.usesVectorAssign(10, 8, 2));
    }

    @Test
    void theGemmPathIsTakenWhereNd4jLoads() {
        Assumptions.assumeTrue(Nd4jSupport.available(), () -> "ND4J not loaded: " + Nd4jSupport.reason());
        assertTrue(gemm.usesGemm(10, 8, 2));
        assertFalse(cpu.usesGemm(8192, 128, 256));
        try (CpuBackend auto = new CpuBackend(1)) {
            // Where the Vector API runs, large slices take the SIMD assignment instead.
            assertEquals(!Simd.enabled(), auto.usesGemm(8192, 128, 256));
            assertEquals(Simd.enabled(), auto.usesVectorAssign(8192, 128, 256));
            assertFalse(auto.usesGemm(64, 16, 4));
            assertFalse(auto.usesVectorAssign(64, 16, 4));
        }
    }

    @Test
    void tiesGoToTheLowestIndex() {
        // Centroids 0 and 2 are equal, 1 is identical to 3: every distance tie must pick the lower.
        SliceBatch b = new SliceBatch(1, 4, 2);
        float[] x = {0, 0, 1, 1, 0.5f, 0.5f, 2, 2};
        float[] c = {1, 1, 0, 0, 1, 1, 0, 0};
        for (CpuBackend backend : both()) {
            int[] ids = {3, 3, 3, 3};
            int[] changed = new int[1];
            backend.assign(b, x, c, 4, ids, changed, null);
            // (0,0) -> centroid 1; (1,1) -> 0; (0.5,0.5) is equidistant from all four -> 0; (2,2) -> 0.
            assertArrayEquals(new int[] {1, 0, 0, 0}, ids);
            assertEquals(4, changed[0]);
        }
    }

    @Test
    void duplicateCentroidsOnRandomDataMatchTheReference() {
        Random r = new Random(5);
        SliceBatch b = new SliceBatch(2, 300, 64);
        float[] x = gaussian(r, b.numel(), 1f);
        float[] c = fromPoints(r, b, x, 32);
        // Make half of the centroids copies of the other half: half of all nearest choices tie.
        for (int i = 0; i < 2; i++) {
            for (int k = 16; k < 32; k++) {
                System.arraycopy(c, (i * 32 + k - 16) * 64, c, (i * 32 + k) * 64, 64);
            }
        }
        for (CpuBackend backend : both()) {
            int[] idsRef = new int[b.rows()], idsCpu = new int[b.rows()];
            REF.assign(b, x, c, 32, idsRef, new int[2], null);
            backend.assign(b, x, c, 32, idsCpu, new int[2], null);
            assertArrayEquals(idsRef, idsCpu);
            assertTrue(Arrays.stream(idsCpu).allMatch(id -> id < 16), "duplicates never win over their originals");
        }
    }

    @Test
    void inactiveSlicesAreLeftUntouched() {
        Random r = new Random(9);
        SliceBatch b = new SliceBatch(3, 50, 16);
        float[] x = gaussian(r, b.numel(), 1f);
        float[] c = fromPoints(r, b, x, 5);
        boolean[] active = {true, false, true};
        int[] idsRef = new int[b.rows()];
        Arrays.fill(idsRef, 4);
        int[] idsCpu = idsRef.clone();
        int[] chRef = {-7, -7, -7}, chCpu = chRef.clone();
        REF.assign(b, x, c, 5, idsRef, chRef, active);
        for (CpuBackend backend : both()) {
            int[] ids = idsCpu.clone();
            int[] ch = chCpu.clone();
            backend.assign(b, x, c, 5, ids, ch, active);
            assertArrayEquals(idsRef, ids);
            assertArrayEquals(chRef, ch);
            assertEquals(-7, ch[1]);
        }
        REF.assign(b, x, c, 5, idsCpu, chCpu, active);
        float[] cRef = c.clone(), cCpu = c.clone();
        REF.updateCentroids(b, x, idsRef, 5, cRef, active);
        cpu.updateCentroids(b, x, idsCpu, 5, cCpu, active);
        assertArrayEquals(cRef, cCpu);
        assertArrayEquals(Arrays.copyOfRange(c, 5 * 16, 10 * 16), Arrays.copyOfRange(cCpu, 5 * 16, 10 * 16));
    }

    /** Decode of blocks whose row is not the batch row ([2 * rows, D / 2]): the same flat elements. */
    @Test
    void decodeWithBlocksNarrowerThanTheBatchRowMatchesTheReference() {
        Random r = new Random(21);
        SliceBatch b = new SliceBatch(3, 50, 128);
        float[] x = gaussian(r, b.numel(), 1f);
        BlockQuantConfig cfg = new BlockQuantConfig(4, 32, false, ScalePrecision.BF16);
        PackedBlocks p = REF.quantizePack(x, b.rows() * 2, 64, cfg);
        ClusterStage st = ClusterStage.ofFloatCentroids(3, 50, 128, 5, gaussian(r, 3 * 5 * 128, 1f),
                r.ints(b.rows(), 0, 5).toArray(), new int[3]);
        float[] e = new float[b.numel()], a = new float[b.numel()];
        REF.decode(b, p, List.of(st), e);
        cpu.decode(b, p, List.of(st), a);
        assertArrayEquals(e, a);
    }

    @Test
    void emptyClustersKeepTheirCentroid() {
        SliceBatch b = new SliceBatch(1, 4, 2);
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] ids = {0, 0, 2, 2};
        float[] c = {9, 9, 42, -42, 9, 9};
        cpu.updateCentroids(b, x, ids, 3, c, null);
        assertArrayEquals(new float[] {2, 3, 42, -42, 6, 7}, c);
    }

    @Test
    void subtractAndAccumulateMatchTheReference() {
        Random r = new Random(11);
        SliceBatch b = new SliceBatch(3, 1111, 64);
        float[] x = gaussian(r, b.numel(), 2f);
        float[] c = gaussian(r, 3 * 7 * 64, 1f);
        int[] ids = r.ints(b.rows(), 0, 7).toArray();
        float[] a = x.clone(), e = x.clone();
        REF.subtractCentroids(b, e, ids, c, 7);
        cpu.subtractCentroids(b, a, ids, c, 7);
        assertArrayEquals(e, a);
        REF.accumulateCentroids(b, e, ids, c, 7);
        cpu.accumulateCentroids(b, a, ids, c, 7);
        assertArrayEquals(e, a);
    }

    @ParameterizedTest(name = "bits={0} symmetric={1} {2} block={3}")
    @CsvSource({
            "2, true, BF16, 64", "2, false, BF16, 64", "2, true, FP8_E4M3, 64", "2, false, FP8_E4M3, 64",
            "3, true, BF16, 32", "3, false, BF16, 32", "3, true, FP8_E4M3, 32", "3, false, FP8_E4M3, 32",
            "4, true, BF16, 128", "4, false, BF16, 128", "4, true, FP8_E4M3, 128", "4, false, FP8_E4M3, 128",
            "8, true, BF16, 16", "8, false, BF16, 16", "8, true, FP8_E4M3, 16", "8, false, FP8_E4M3, 16",
            "2, true, BF16, 5", "3, false, FP8_E4M3, 3", "4, true, BF16, 7", "2, false, BF16, 1"})
    void quantizeDequantizeAndDecodeMatchTheReference(int bits, boolean symmetric, ScalePrecision p, int block) {
        BlockQuantConfig cfg = new BlockQuantConfig(bits, block, symmetric, p);
        Random r = new Random(bits * 1000L + block + (symmetric ? 1 : 0) + p.ordinal() * 7L);
        int cols = block * (128 / block == 0 ? 1 : Math.max(1, 128 / block));
        int rows = 777;
        float[] x = gaussian(r, rows * cols, 3f);
        // Blocks that hit the edge cases: all zero, constant, tiny (fp8 scale underflow), exact halves.
        Arrays.fill(x, 0, cols, 0f);
        Arrays.fill(x, cols, 2 * cols, 1.25f);
        for (int i = 2 * cols; i < 3 * cols; i++) {
            x[i] *= 1e-6f;
        }
        for (int i = 3 * cols; i < 4 * cols; i++) {
            x[i] = (i % 5 - 2) * 0.5f;
        }
        PackedBlocks e = REF.quantizePack(x, rows, cols, cfg);
        PackedBlocks a = cpu.quantizePack(x, rows, cols, cfg);
        assertArrayEquals(e.codes(), a.codes(), "codes");
        assertArrayEquals(e.scales(), a.scales(), "scales");
        assertArrayEquals(e.zeros(), a.zeros(), "zeros");
        float[] de = new float[rows * cols], da = new float[rows * cols];
        REF.unpackDequant(e, de);
        cpu.unpackDequant(e, da);
        assertArrayEquals(de, da, "dequantized");

        SliceBatch b = new SliceBatch(7, 111, cols);
        int K = 9;
        ClusterStage s1 = ClusterStage.ofFloatCentroids(7, 111, cols, K, gaussian(r, 7 * K * cols, 1f),
                r.ints(b.rows(), 0, K).toArray(), new int[7]);
        ClusterStage s2 = ClusterStage.ofFloatCentroids(7, 111, cols, 3, gaussian(r, 7 * 3 * cols, 0.1f),
                r.ints(b.rows(), 0, 3).toArray(), new int[7]);
        REF.decode(b, e, List.of(s1, s2), de);
        cpu.decode(b, e, List.of(s1, s2), da);
        assertArrayEquals(de, da, "decoded");
    }
}
