package dev.qvg.cuda;

import static dev.qvg.cuda.HostEmulationTest.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.reference.SpanEncoding;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.spi.StageInit;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaBackend} itself (its uploads, the k-means loop with its per-slice stop, the stage
 * bookkeeping, its downloads) on the host emulation of the device: the coarse overrides
 * {@link CudaBackend#cluster} and {@link CudaBackend#encodeSpan} must give the bits of their
 * defaults composed from the same backend's fine kernels ({@link LloydKMeans#run},
 * {@link SpanEncoding#compose}), and of the reference backend; bad input must fail with the same
 * messages and leave {@code x} as the default leaves it; and the copies between host and device
 * must be only those the design allows (one upload of the span, per iteration only the changed
 * counts, one download of the results), with every allocation freed.
 */
class EmulatedBackendTest {

    private static final long SEED = 0xE3_C0DAL;
    private static final Backend REF = new ReferenceBackend();
    private EmulatedDevice dev;
    private CudaBackend gpu;

    @BeforeAll
    static void emulator() {
        HostEmulator.requireFor("EmulatedBackendTest");
    }

    @BeforeEach
    void open() {
        dev = new EmulatedDevice();
        gpu = new CudaBackend(dev, 700);  // small upload chunks: quantizePack's two-stream path runs too
    }

    /**
     * Tokens around a few prototypes per slice, slice i spread by {@code 0.05 * (i + 1)}, so the
     * slices converge after different numbers of iterations.
     */
    private static float[] clustered(SplittableRandom r, SliceBatch b, int prototypes) {
        float[] x = new float[b.numel()];
        int S = b.tokens(), D = b.dim();
        for (int i = 0; i < b.slices(); i++) {
            float[] protos = new float[prototypes * D];
            for (int j = 0; j < protos.length; j++) {
                protos[j] = (float) (r.nextGaussian() * 3);
            }
            double spread = 0.05 * (i + 1) * (i + 1);
            for (int s = 0; s < S; s++) {
                int p = r.nextInt(prototypes);
                for (int d = 0; d < D; d++) {
                    x[(i * S + s) * D + d] = (float) (protos[p * D + d] + r.nextGaussian() * spread);
                }
            }
        }
        return x;
    }

    private void assertAllFreed(String what) {
        assertEquals(0, dev.liveBuffers(), what + ": device allocations left open");
    }

    private static void assertSameClustering(ClusteringResult want, ClusteringResult got, String what) {
        assertArrayEquals(want.iterations(), got.iterations(), what + ": iterations");
        assertArrayEquals(want.ids(), got.ids(), what + ": ids");
        assertBitsEqual(want.centroids(), got.centroids(), what + ": centroids");
    }

    private static void assertSameCode(ResidualCode want, ResidualCode got, String what) {
        assertEquals(want.stages().size(), got.stages().size(), what + ": stages");
        for (int s = 0; s < want.stages().size(); s++) {
            ClusterStage a = want.stages().get(s), g = got.stages().get(s);
            assertArrayEquals(a.iterations(), g.iterations(), what + ": stage " + s + " iterations");
            assertArrayEquals(a.ids(), g.ids(), what + ": stage " + s + " ids");
            assertArrayEquals(a.centroids(), g.centroids(), what + ": stage " + s + " bf16 centroids");
        }
        assertArrayEquals(want.blocks().codes(), got.blocks().codes(), what + ": codes");
        assertArrayEquals(want.blocks().scales(), got.blocks().scales(), what + ": scales");
        assertArrayEquals(want.blocks().zeros(), got.blocks().zeros(), what + ": zeros");
    }

    @Test
    void clusterEqualsItsCompositionAndTheReferenceWithPerSliceStopEmptyClustersAndKAboveS() {
        SplittableRandom r = new SplittableRandom(SEED);
        // (slices, tokens, dim, clusters, firstSlice): several row tiles and a partial one; K > S
        // (duplicate draws: empty clusters); one slice; a part of a larger tensor.
        int[][] shapes = {{3, 150, 20, 12, 0}, {2, 40, 16, 60, 0}, {1, 300, 32, 5, 0}, {4, 70, 8, 6, 5}};
        boolean sawStaggeredStop = false, sawEmpty = false;
        for (int[] sh : shapes) {
            SliceBatch b = new SliceBatch(sh[0], sh[1], sh[2], sh[4]);
            float[] x = clustered(r, b, 4);
            for (KMeansInit init : KMeansInit.values()) {
                for (double tol : new double[] {0, 0.02}) {
                    KMeansConfig c = new KMeansConfig(sh[3], 12, tol, r.nextLong(), init);
                    String what = b + " K=" + sh[3] + " tol=" + tol + " " + init;
                    float[] copy = x.clone();
                    ClusteringResult got = gpu.cluster(b, x, c, null);
                    assertArrayEquals(copy, x, what + ": points modified");
                    assertAllFreed(what);
                    assertSameClustering(LloydKMeans.run(gpu, b, x, c, null), got, what + " vs its composition");
                    assertSameClustering(LloydKMeans.run(REF, b, x, c, null), got, what + " vs the reference");
                    int[] its = got.iterations();
                    sawStaggeredStop |= Arrays.stream(its).distinct().count() > 1 && Arrays.stream(its).min().getAsInt() < 12;
                    sawEmpty |= hasEmptyCluster(got.ids(), b, sh[3]);
                }
            }
        }
        assertTrue(sawStaggeredStop, "some batch must have slices that stop after different iterations");
        assertTrue(sawEmpty, "some batch must have an empty cluster");
    }

    private static boolean hasEmptyCluster(int[] ids, SliceBatch b, int clusters) {
        for (int i = 0; i < b.slices(); i++) {
            boolean[] used = new boolean[clusters];
            for (int s = 0; s < b.tokens(); s++) {
                used[ids[i * b.tokens() + s]] = true;
            }
            for (boolean u : used) {
                if (!u) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void clusterFromGivenCentroidsLeavesThemAlone() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        SliceBatch b = new SliceBatch(2, 90, 24);
        float[] x = clustered(r, b, 5);
        KMeansConfig c = new KMeansConfig(7, 6, 0.01, 3, KMeansInit.RANDOM);
        float[] start = LloydKMeans.initialCentroids(b, x, c.withSeed(77));
        float[] before = start.clone();
        ClusteringResult got = gpu.cluster(b, x, c, start);
        assertArrayEquals(before, start, "initial centroids modified");
        assertSameClustering(LloydKMeans.run(REF, b, x, c, start), got, "from given centroids");
    }

    @Test
    void clusterUploadsOnceAndBringsBackOnlyTheChangedCountsPerIteration() {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        SliceBatch b = new SliceBatch(3, 100, 16);
        float[] x = clustered(r, b, 3);
        int K = 8;
        long points = 4L * b.numel(), cents = 4L * b.slices() * K * b.dim(), ids = 4L * b.rows(), perSlice = 4L * b.slices();
        gpu.cluster(b, x, new KMeansConfig(K, 5, 0, 1, KMeansInit.RANDOM), null);
        assertEquals(List.of("up " + points, "up " + cents, "up " + perSlice, "down " + cents, "down " + ids),
                dev.transfers(), "tol = 0: no slice can stop, so nothing comes back until the end");
        assertEquals(1, dev.runs(), "tol = 0: the host waits for the device once, for the results");

        dev.transfers().clear();
        ClusteringResult res = gpu.cluster(b, x, new KMeansConfig(K, 30, 0.05, 1, KMeansInit.RANDOM), null);
        int iterations = Arrays.stream(res.iterations()).max().getAsInt();
        List<String> t = dev.transfers();
        assertEquals(List.of("up " + points, "up " + cents, "up " + perSlice), t.subList(0, 3));
        assertEquals(List.of("down " + cents, "down " + ids), t.subList(t.size() - 2, t.size()));
        for (String m : t.subList(3, t.size() - 2)) {
            assertEquals(m.startsWith("down") ? "down " + perSlice : "up " + perSlice, m, "per iteration: counts, flags");
        }
        assertEquals(iterations, t.subList(3, t.size() - 2).stream().filter(m -> m.startsWith("down")).count(),
                "one download of the changed counts per iteration");
        assertAllFreed("cluster");
    }

    private static SpanPlan plan(int stages, int clusters, int maxIters, double tol, KMeansInit init, BlockQuantConfig q,
                                 StageInit hook) {
        return new SpanPlan(stages, new KMeansConfig(clusters, maxIters, tol, 11, init), q, hook);
    }

    @Test
    void encodeSpanEqualsItsCompositionAndTheReferenceForZeroToThreeStages() {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        BlockQuantConfig[] quants = {new BlockQuantConfig(2, 32, true, ScalePrecision.BF16),
                new BlockQuantConfig(4, 16, false, ScalePrecision.BF16),
                new BlockQuantConfig(3, 8, true, ScalePrecision.FP8_E4M3), new BlockQuantConfig(2, 32, false,
                ScalePrecision.FP8_E4M3)};
        for (int[] sh : new int[][] {{3, 120, 64, 10, 0}, {2, 30, 32, 40, 3}}) {
            SliceBatch b = new SliceBatch(sh[0], sh[1], sh[2], sh[4]);
            float[] x = clustered(r, b, 5);
            for (int stages = 0; stages <= 3; stages++) {
                for (KMeansInit init : KMeansInit.values()) {
                    BlockQuantConfig q = quants[(stages + init.ordinal()) % quants.length];
                    SpanPlan p = plan(stages, sh[3], 6, stages == 2 ? 0.03 : 0, init, q, null);
                    String what = b + " K=" + sh[3] + " stages=" + stages + " " + init + " " + q;
                    float[] gotX = x.clone(), wantX = x.clone(), refX = x.clone();
                    ResidualCode got = gpu.encodeSpan(b, gotX, p);
                    assertAllFreed(what);
                    assertSameCode(SpanEncoding.compose(gpu, b, wantX, p), got, what + " vs its composition");
                    assertBitsEqual(wantX, gotX, what + ": final residual in x");
                    assertSameCode(SpanEncoding.compose(REF, b, refX, p), got, what + " vs the reference");
                    assertBitsEqual(refX, gotX, what + ": final residual in x vs the reference");
                }
            }
        }
    }

    @Test
    void encodeSpanAsksTheHookWithEachStageInputAndStartsWhereItSays() {
        SplittableRandom r = new SplittableRandom(SEED + 4);
        SliceBatch b = new SliceBatch(2, 80, 32);
        float[] x = clustered(r, b, 4);
        KMeansConfig warm = new KMeansConfig(6, 5, 0, 21, KMeansInit.KMEANS_PLUS_PLUS);
        Supplier<List<float[]>> seen = ArrayList::new;
        List<float[]> gotSeen = seen.get(), wantSeen = seen.get();
        // Stage 0 from centroids drawn elsewhere, stage 1 cold, stage 2 warm from its own input.
        StageInit[] hooks = new StageInit[2];
        for (int h = 0; h < 2; h++) {
            List<float[]> log = h == 0 ? gotSeen : wantSeen;
            hooks[h] = (stage, input) -> {
                log.add(input.clone());
                return stage == 1 ? null : LloydKMeans.initialCentroids(b, input, warm.withSeed(stage));
            };
        }
        BlockQuantConfig q = new BlockQuantConfig(2, 32, true, ScalePrecision.BF16);
        float[] gotX = x.clone(), wantX = x.clone();
        ResidualCode got = gpu.encodeSpan(b, gotX, plan(3, 6, 5, 0.02, KMeansInit.RANDOM, q, hooks[0]));
        ResidualCode want = SpanEncoding.compose(REF, b, wantX, plan(3, 6, 5, 0.02, KMeansInit.RANDOM, q, hooks[1]));
        assertSameCode(want, got, "with a stage-init hook");
        assertBitsEqual(wantX, gotX, "final residual");
        assertEquals(3, gotSeen.size());
        for (int s = 0; s < 3; s++) {
            assertBitsEqual(wantSeen.get(s), gotSeen.get(s), "the input the hook saw at stage " + s);
        }
        assertAllFreed("hook");
    }

    @Test
    void encodeSpanUploadsTheSpanOnceAndBringsBackOnlyTheCode() {
        SplittableRandom r = new SplittableRandom(SEED + 5);
        SliceBatch b = new SliceBatch(2, 64, 32);
        int K = 4, stages = 3;
        float[] x = clustered(r, b, 3);
        gpu.encodeSpan(b, x, plan(stages, K, 4, 0, KMeansInit.RANDOM, new BlockQuantConfig(2, 32, true, ScalePrecision.BF16),
                null));
        long span = 4L * b.numel();
        List<String> t = dev.transfers();
        assertEquals("up " + span, t.get(0), "the span goes up first");
        assertEquals("down " + span, t.get(t.size() - 1), "the final residual comes back last");
        assertEquals(2, t.stream().filter(m -> m.equals("up " + span) || m.equals("down " + span)).count(),
                "the span is copied once each way: " + t);
        long downs = t.stream().filter(m -> m.startsWith("down")).count();
        // per stage: bf16 centroids, ids (and 4 bytes between stages); then codes, scales, residual
        assertEquals(stages * 2 + (stages - 1) + 3, downs, "downloads: " + t);
        assertAllFreed("encodeSpan");
    }

    /** Runs {@code call} and returns its exception's class and message, or "returned". */
    private static String outcome(Runnable call) {
        try {
            call.run();
            return "returned";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void badInputFailsWithTheDefaultsMessagesAndLeavesXAsTheDefaultDoes() {
        SplittableRandom r = new SplittableRandom(SEED + 6);
        SliceBatch b = new SliceBatch(1, 10, 16);
        BlockQuantConfig q = new BlockQuantConfig(2, 16, true, ScalePrecision.BF16);
        List<float[]> inputs = new ArrayList<>();
        List<SpanPlan> plans = new ArrayList<>();
        // A stage-1 residual that overflows to -infinity: stage 2 refuses it.
        float[] overflow = new float[b.numel()];
        Arrays.fill(overflow, 3.38e38f);
        Arrays.fill(overflow, 9 * 16, 10 * 16, -3.38e38f);
        inputs.add(overflow);
        plans.add(plan(2, 1, 3, 0, KMeansInit.RANDOM, q, null));
        // Centroids past bf16's largest value: the stored stage would hold infinity.
        float[] huge = new float[b.numel()];
        Arrays.fill(huge, 3.4e38f);
        inputs.add(huge);
        plans.add(plan(2, 2, 3, 0, KMeansInit.RANDOM, q, null));
        // A NaN in the input; and a hook that returns centroids of the wrong size at stage 1.
        float[] nan = clustered(r, b, 2);
        nan[37] = Float.NaN;
        inputs.add(nan);
        plans.add(plan(1, 2, 3, 0, KMeansInit.RANDOM, q, null));
        inputs.add(clustered(r, b, 2));
        plans.add(plan(2, 2, 3, 0, KMeansInit.RANDOM, q, (stage, in) -> stage == 0 ? null : new float[5]));
        for (int i = 0; i < inputs.size(); i++) {
            float[] gotX = inputs.get(i).clone(), wantX = inputs.get(i).clone();
            SpanPlan p = plans.get(i);
            String got = outcome(() -> gpu.encodeSpan(b, gotX, p));
            String want = outcome(() -> SpanEncoding.compose(gpu, b, wantX, p));
            assertTrue(want.startsWith("IllegalArgumentException"), "case " + i + " must be refused: " + want);
            assertEquals(want, got, "case " + i);
            assertBitsEqual(wantX, gotX, "case " + i + ": x after the refusal");
            assertAllFreed("case " + i);
        }
        assertNotEquals(outcome(() -> gpu.cluster(b, nan, plans.get(2).kmeans(), null)), "returned");
        assertEquals(outcome(() -> LloydKMeans.run(gpu, b, nan, plans.get(2).kmeans(), null)),
                outcome(() -> gpu.cluster(b, nan, plans.get(2).kmeans(), null)));
        int before = dev.transfers().size();
        assertThrows(IllegalArgumentException.class, () -> gpu.cluster(b, new float[3], plans.get(2).kmeans(), null));
        assertThrows(IllegalArgumentException.class, () -> gpu.encodeSpan(b, nan.clone(), plans.get(2)));
        assertEquals(before, dev.transfers().size(), "nothing is copied for input refused up front");
    }

    @Test
    void randomRowsAreTheRowsTheDefaultInitCopies() {
        SplittableRandom r = new SplittableRandom(SEED + 7);
        SliceBatch b = new SliceBatch(3, 57, 5, 9);
        float[] x = new float[b.numel()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        KMeansConfig c = new KMeansConfig(70, 1, 0, 123, KMeansInit.RANDOM);
        float[] want = LloydKMeans.initialCentroids(b, x, c);
        int[] rows = DeviceSpanEncoder.randomRows(b, c);
        for (int i = 0; i < b.slices(); i++) {
            for (int k = 0; k < 70; k++) {
                int row = rows[i * 70 + k];
                assertTrue(row >= 0 && row < 57, "row " + row);
                float[] drawn = Arrays.copyOfRange(x, (i * 57 + row) * 5, (i * 57 + row + 1) * 5);
                assertArrayEquals(Arrays.copyOfRange(want, (i * 70 + k) * 5, (i * 70 + k + 1) * 5), drawn,
                        "slice " + i + " centroid " + k);
            }
        }
        assertFalse(Arrays.stream(rows).allMatch(v -> v == rows[0]), "draws differ");
    }
}
