package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.reference.SpanEncoding;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.spi.StageInit;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The coarse operations {@link dev.qvg.api.spi.Backend#cluster} and
 * {@link dev.qvg.api.spi.Backend#encodeSpan} against their definitions composed from the same
 * backend's fine kernels ({@link LloydKMeans#run}, {@link SpanEncoding#compose}): the same bits,
 * ids, centroids, iteration counts, stored stages, packed blocks and final residual. Also: a
 * batch cut into parts ({@link SliceBatch#firstSlice}) gives the bits of the whole, and bad input
 * is refused before anything is written. A backend that keeps the defaults passes trivially; one
 * that overrides them (to keep a span resident on a device, to run slices side by side) must
 * keep these bits.
 */
public abstract class BaseCoarseOpsTestCase extends BackendKitTestCase {

    /** (slices, tokens, dim, clusters): sizes that reach a backend's large-slice paths and its small ones. */
    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(3, 301, 64, 16), Arguments.of(2, 157, 128, 64), Arguments.of(4, 97, 32, 5),
                Arguments.of(1, 513, 128, 32), Arguments.of(2, 40, 64, 60), Arguments.of(5, 12, 16, 24));
    }

    private static KMeansConfig config(Random r, int clusters, int maxIters, double tol) {
        KMeansInit init = r.nextBoolean() ? KMeansInit.RANDOM : KMeansInit.KMEANS_PLUS_PLUS;
        return new KMeansConfig(clusters, maxIters, tol, r.nextLong(), init);
    }

    private float[] tokens(Random r, SliceBatch b) {
        return Fixtures.clusteredTokens(r, b.slices(), b.tokens(), b.dim(), 6);
    }

    @ParameterizedTest(name = "{0} x [{1}, {2}] K={3}")
    @MethodSource("shapes")
    void clusterEqualsItsComposition(int slices, int tokens, int dim, int clusters) {
        Random r = random();
        SliceBatch b = new SliceBatch(slices, tokens, dim);
        float[] x = tokens(r, b);
        for (double tol : new double[] {0, 0.02}) {
            KMeansConfig c = config(r, clusters, 7, tol);
            ClusteringResult want = LloydKMeans.run(backend(), b, x.clone(), c, null);
            ClusteringResult got = backend().cluster(b, x, c, null);
            assertSameClustering(want, got, b, "cluster " + b + " K=" + clusters + " tol=" + tol + " " + c.init());
        }
    }

    @Test
    void clusterFromGivenCentroidsLeavesThemAlone() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.blobs(r, 3, 211, 64, 12, 2);
        float[] start = k.centroids().clone();
        KMeansConfig c = new KMeansConfig(12, 9, 0, 5, KMeansInit.RANDOM);
        ClusteringResult want = LloydKMeans.run(backend(), k.batch(), k.points(), c, k.centroids());
        ClusteringResult got = backend().cluster(k.batch(), k.points(), c, k.centroids());
        assertSameClustering(want, got, k.batch(), "cluster from given centroids");
        assertArrayEquals(start, k.centroids(), "the initial centroids must not be modified");
    }

    @Test
    void clusterOfPartsEqualsTheWhole() {
        Random r = random();
        SliceBatch whole = new SliceBatch(5, 173, 64);
        float[] x = tokens(r, whole);
        KMeansConfig c = config(r, 16, 6, 0);
        ClusteringResult all = backend().cluster(whole, x, c, null);
        int n = whole.sliceSize();
        for (int[] part : new int[][] {{0, 2}, {2, 3}, {4, 1}}) {
            SliceBatch p = whole.part(part[0], part[1]);
            float[] px = Arrays.copyOfRange(x, part[0] * n, (part[0] + part[1]) * n);
            ClusteringResult got = backend().cluster(p, px, c, null);
            int cn = 16 * 64;
            Checks.assertSameInts(Arrays.copyOfRange(all.ids(), part[0] * 173, (part[0] + part[1]) * 173), got.ids(),
                    173, "ids of slices " + part[0] + ".." + (part[0] + part[1] - 1) + " clustered as a part");
            Checks.assertSameFloats(Arrays.copyOfRange(all.centroids(), part[0] * cn, (part[0] + part[1]) * cn),
                    got.centroids(), 64, "centroids of a part");
        }
    }

    @ParameterizedTest(name = "{0} x [{1}, {2}] K={3}")
    @MethodSource("shapes")
    void encodeSpanEqualsItsComposition(int slices, int tokens, int dim, int clusters) {
        Random r = random();
        SliceBatch b = new SliceBatch(slices, tokens, dim);
        float[] x = tokens(r, b);
        BlockQuantConfig[] quants = {
                new BlockQuantConfig(2, Math.min(64, dim), true, ScalePrecision.BF16),
                new BlockQuantConfig(4, 16, false, ScalePrecision.BF16),
                new BlockQuantConfig(2, 16, true, ScalePrecision.FP8_E4M3)};
        for (int stages = 0; stages <= 3; stages++) {
            BlockQuantConfig q = quants[stages % quants.length];
            SpanPlan plan = new SpanPlan(stages, config(r, clusters, 5, stages == 2 ? 0.05 : 0), q, null);
            float[] wantX = x.clone(), gotX = x.clone();
            ResidualCode want = SpanEncoding.compose(backend(), b, wantX, plan);
            ResidualCode got = backend().encodeSpan(b, gotX, plan);
            String what = "encodeSpan " + b + " K=" + clusters + " stages=" + stages + " " + q;
            assertSameCode(want, got, what);
            Checks.assertSameFloats(wantX, gotX, dim, what + ": final residual left in x");
        }
    }

    @Test
    void encodeSpanAsksTheStageInitHookWithEachStageInput() {
        Random r = random();
        SliceBatch b = new SliceBatch(3, 150, 64);
        float[] x = tokens(r, b);
        KMeansConfig c = config(r, 8, 6, 0);
        float[][] seen = new float[2][];
        StageInit hook = (stage, input) -> {
            seen[stage] = input.clone();
            return stage == 0 ? LloydKMeans.initialCentroids(b, input, c.withSeed(99)) : null;
        };
        SpanPlan plan = new SpanPlan(2, c, BlockQuantConfig.publishedInt2(), hook);
        float[] wantX = x.clone();
        ResidualCode want = SpanEncoding.compose(backend(), b, wantX, plan);
        float[][] wantSeen = seen.clone();
        ResidualCode got = backend().encodeSpan(b, x.clone(), plan);
        assertSameCode(want, got, "encodeSpan with a stage-init hook");
        for (int s = 0; s < 2; s++) {
            Checks.assertSameFloats(wantSeen[s], seen[s], 64, "the input the hook saw at stage " + s);
        }
    }

    @Test
    void encodeSpanOfPartsEqualsTheWhole() {
        Random r = random();
        SliceBatch whole = new SliceBatch(4, 129, 64);
        float[] x = tokens(r, whole);
        SpanPlan plan = new SpanPlan(2, config(r, 16, 5, 0), BlockQuantConfig.publishedInt2(), null);
        ResidualCode all = backend().encodeSpan(whole, x.clone(), plan);
        int n = whole.sliceSize();
        SliceBatch p = whole.part(1, 3);
        ResidualCode part = backend().encodeSpan(p, Arrays.copyOfRange(x, n, 4 * n), plan);
        for (int s = 0; s < 2; s++) {
            ClusterStage a = all.stages().get(s), g = part.stages().get(s);
            Checks.assertSameInts(Arrays.copyOfRange(a.ids(), 129, 4 * 129), g.ids(), 129, "stage " + s + " ids of a part");
            Checks.assertSameShorts(Arrays.copyOfRange(a.centroids(), 16 * 64, 4 * 16 * 64), g.centroids(), 64,
                    "stage " + s + " centroids of a part");
        }
        byte[] codes = all.blocks().codes();
        int perSlice = codes.length / 4;
        assertArrayEquals(Arrays.copyOfRange(codes, perSlice, codes.length), part.blocks().codes(), "codes of a part");
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 90, 64);
        float[] x = tokens(r, b);
        x[1234] = Float.NaN;
        float[] before = x.clone();
        KMeansConfig c = config(r, 8, 4, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend().cluster(b, x, c, null));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> backend().encodeSpan(b, x, new SpanPlan(1, c, BlockQuantConfig.publishedInt2(), null)));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        assertArrayEquals(before, x, "x must be untouched when refused");
        float[] ok = tokens(r, b);
        e = assertThrows(IllegalArgumentException.class, () -> backend().encodeSpan(b, ok,
                new SpanPlan(1, c, new BlockQuantConfig(2, 48, true, ScalePrecision.BF16), null)));
        assertTrue(e.getMessage().startsWith("blockSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> backend().cluster(b, new float[10], c, null));
        assertTrue(e.getMessage().startsWith("points"), e.getMessage());
    }

    private static void assertSameClustering(ClusteringResult want, ClusteringResult got, SliceBatch b, String what) {
        assertArrayEquals(want.iterations(), got.iterations(), what + ": iterations per slice");
        Checks.assertSameInts(want.ids(), got.ids(), b.tokens(), what + ": ids");
        Checks.assertSameFloats(want.centroids(), got.centroids(), b.dim(), what + ": centroids");
    }

    private static void assertSameCode(ResidualCode want, ResidualCode got, String what) {
        assertEquals(want.stages().size(), got.stages().size(), what + ": stage count");
        for (int s = 0; s < want.stages().size(); s++) {
            ClusterStage a = want.stages().get(s), g = got.stages().get(s);
            assertArrayEquals(a.iterations(), g.iterations(), what + ": stage " + s + " iterations");
            Checks.assertSameInts(a.ids(), g.ids(), a.tokens(), what + ": stage " + s + " ids");
            Checks.assertSameShorts(a.centroids(), g.centroids(), a.dim(), what + ": stage " + s + " bf16 centroids");
        }
        Checks.assertSameBlocks(want.blocks(), got.blocks(), what + ": blocks");
    }
}
