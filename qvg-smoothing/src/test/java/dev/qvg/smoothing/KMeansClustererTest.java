package dev.qvg.smoothing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class KMeansClustererTest {

    private final KMeansClusterer km = new KMeansClusterer();
    private final ReferenceBackend ref = new ReferenceBackend();

    private static KMeansConfig cfg(int k, long seed) {
        return new KMeansConfig(k, 100, 1e-4, seed, KMeansInit.RANDOM);
    }

    @Test
    void convergedResultIsAFixedPointOfLloyd() {
        SliceBatch b = new SliceBatch(3, 400, 8);
        float[] x = TestData.gaussian(1, b.numel());
        int K = 10;
        ClusteringResult r = km.cluster(ref, b, x, cfg(K, 5), null);
        for (int i = 0; i < 3; i++) {
            assertTrue(r.iterations()[i] >= 2 && r.iterations()[i] < 100, "slice " + i + " converged in "
                    + r.iterations()[i]);
        }
        for (int row = 0; row < b.rows(); row++) {
            assertEquals(TestData.nearest(b, x, row, r.centroids(), K), r.ids()[row], "row " + row);
        }
        assertCentroidsAreMeans(b, x, r, K);
    }

    /** Every non-empty centroid equals the double-accumulated mean of its rows, rounded to float. */
    private static void assertCentroidsAreMeans(SliceBatch b, float[] x, ClusteringResult r, int K) {
        int S = b.tokens(), D = b.dim();
        for (int i = 0; i < b.slices(); i++) {
            for (int k = 0; k < K; k++) {
                double[] sum = new double[D];
                int count = 0;
                for (int s = 0; s < S; s++) {
                    if (r.ids()[i * S + s] == k) {
                        count++;
                        for (int d = 0; d < D; d++) {
                            sum[d] += x[(i * S + s) * D + d];
                        }
                    }
                }
                for (int d = 0; count > 0 && d < D; d++) {
                    assertEquals((float) (sum[d] / count), r.centroids()[(i * K + k) * D + d],
                            "slice " + i + " cluster " + k + " dim " + d);
                }
            }
        }
    }

    @Test
    void objectiveNeverIncreasesAndIterationsCountTheRounds() {
        SliceBatch b = new SliceBatch(2, 600, 16);
        float[] x = TestData.gaussian(2, b.numel());
        RecordingBackend rec = new RecordingBackend();
        ClusteringResult r = km.cluster(rec, b, x, cfg(12, 9), null);
        for (int i = 0; i < 2; i++) {
            List<Double> obj = rec.objectives.get(i);
            assertEquals(r.iterations()[i], obj.size(), "one update per iteration");
            assertEquals(r.iterations()[i], rec.assignCalls[i], "one assignment per iteration");
            for (int t = 1; t < obj.size(); t++) {
                assertTrue(obj.get(t) <= obj.get(t - 1) * (1 + 1e-9), "slice " + i + " iteration " + t + ": "
                        + obj.get(t - 1) + " -> " + obj.get(t));
            }
            // The run did real work: the objective fell by a measurable amount from the first update.
            assertTrue(obj.get(obj.size() - 1) < 0.97 * obj.get(0), obj.toString());
        }
        // Slices converge on their own schedule; the recorded counts prove inactive ones were skipped.
        assertFalse(r.iterations()[0] == 100 || r.iterations()[1] == 100);
    }

    @Test
    void sameSeedSameBitsOtherSeedOtherResult() {
        SliceBatch b = new SliceBatch(2, 300, 8);
        float[] x = TestData.gaussian(3, b.numel());
        ClusteringResult a = km.cluster(ref, b, x, cfg(6, 11), null);
        ClusteringResult c = km.cluster(ref, b, x.clone(), cfg(6, 11), null);
        assertArrayEquals(a.ids(), c.ids());
        assertArrayEquals(a.centroids(), c.centroids());
        assertArrayEquals(a.iterations(), c.iterations());
        ClusteringResult other = km.cluster(ref, b, x, cfg(6, 12), null);
        assertFalse(Arrays.equals(a.centroids(), other.centroids()));
    }

    @Test
    void aSliceDoesNotDependOnTheOtherSlices() {
        int S = 200, D = 8;
        float[] a = TestData.gaussian(4, S * D), bb = TestData.gaussian(5, S * D), c = TestData.gaussian(6, S * D);
        SliceBatch two = new SliceBatch(2, S, D);
        ClusteringResult ab = km.cluster(ref, two, concat(a, bb), cfg(5, 1), null);
        ClusteringResult ac = km.cluster(ref, two, concat(a, c), cfg(5, 1), null);
        assertArrayEquals(Arrays.copyOf(ab.ids(), S), Arrays.copyOf(ac.ids(), S));
        assertArrayEquals(Arrays.copyOf(ab.centroids(), 5 * D), Arrays.copyOf(ac.centroids(), 5 * D));
        assertEquals(ab.iterations()[0], ac.iterations()[0]);
    }

    @Test
    void kmeansPlusPlusGivesTheSameBitsWhateverTheThreadCount() throws Exception {
        SliceBatch b = new SliceBatch(6, 300, 8);
        float[] x = TestData.gaussian(7, b.numel());
        KMeansConfig c = cfg(16, 3).withInit(KMeansInit.KMEANS_PLUS_PLUS);
        ForkJoinPool one = new ForkJoinPool(1), four = new ForkJoinPool(4);
        try {
            ClusteringResult r1 = one.submit(() -> km.cluster(ref, b, x, c, null)).get();
            ClusteringResult r4 = four.submit(() -> km.cluster(ref, b, x, c, null)).get();
            assertArrayEquals(r1.ids(), r4.ids());
            assertArrayEquals(r1.centroids(), r4.centroids());
            assertArrayEquals(r1.iterations(), r4.iterations());
        } finally {
            one.shutdown();
            four.shutdown();
        }
    }

    @Test
    void kmeansPlusPlusStartsFromDistinctRowsAndBeatsRandomOnSeparatedClusters() {
        // 8 tight, far-apart groups of 50 rows: ++ seeding almost surely hits every group.
        int S = 400, D = 4, K = 8;
        SliceBatch b = new SliceBatch(1, S, D);
        float[] noise = TestData.gaussian(8, S * D);
        float[] x = new float[S * D];
        for (int s = 0; s < S; s++) {
            for (int d = 0; d < D; d++) {
                x[s * D + d] = (s % K) * 100f * (d == s % D ? 1 : 0.3f) + 0.01f * noise[s * D + d];
            }
        }
        float[] init = dev.qvg.api.reference.LloydKMeans.initialCentroids(b, x, cfg(K, 0).withInit(KMeansInit.KMEANS_PLUS_PLUS));
        boolean[] hit = new boolean[K];
        for (int k = 0; k < K; k++) {
            hit[groupOf(x, init, k, D, K)] = true;
        }
        for (int g = 0; g < K; g++) {
            assertTrue(hit[g], "group " + g + " got no initial centroid");
        }
    }

    private static int groupOf(float[] x, float[] c, int k, int D, int K) {
        for (int s = 0; s < x.length / D; s++) {
            if (Arrays.equals(x, s * D, s * D + D, c, k * D, k * D + D)) {
                return s % K;
            }
        }
        throw new AssertionError("centroid " + k + " is not a row");
    }

    @Test
    void randomInitDrawsRowsWithReplacement() {
        int S = 5, D = 3, K = 8;
        float[] x = TestData.gaussian(9, S * D);
        float[] init = dev.qvg.api.reference.LloydKMeans.initialCentroids(new SliceBatch(1, S, D), x, cfg(K, 0));
        int[] used = new int[S];
        for (int k = 0; k < K; k++) {
            boolean found = false;
            for (int s = 0; s < S && !found; s++) {
                if (Arrays.equals(x, s * D, s * D + D, init, k * D, k * D + D)) {
                    used[s]++;
                    found = true;
                }
            }
            assertTrue(found, "centroid " + k + " is not a row");
        }
        assertTrue(Arrays.stream(used).anyMatch(u -> u > 1), "8 draws from 5 rows must repeat one");
    }

    @Test
    void emptyClusterKeepsItsCentroid() {
        SliceBatch b = new SliceBatch(1, 100, 4);
        float[] x = TestData.gaussian(10, b.numel());
        float[] init = new float[3 * 4];
        Arrays.fill(init, 4, 8, 1000f);       // far from all data: never nearest
        Arrays.fill(init, 8, 12, 0.5f);
        float[] before = init.clone();
        ClusteringResult r = km.cluster(ref, b, x, cfg(3, 0), init);
        assertArrayEquals(new float[] {1000f, 1000f, 1000f, 1000f}, Arrays.copyOfRange(r.centroids(), 4, 8));
        assertTrue(Arrays.stream(r.ids()).noneMatch(id -> id == 1));
        assertArrayEquals(before, init, "the warm start array is not modified");
    }

    @Test
    void tiesGoToTheLowestIndex() {
        SliceBatch b = new SliceBatch(1, 50, 4);
        float[] x = TestData.gaussian(11, b.numel());
        float[] init = new float[3 * 4];
        Arrays.fill(init, 0, 4, 0.25f);
        Arrays.fill(init, 4, 8, 0.25f);       // exact twin of centroid 0
        Arrays.fill(init, 8, 12, -1f);
        ClusteringResult r = km.cluster(ref, b, x, new KMeansConfig(3, 1, 1e-4, 0, KMeansInit.RANDOM), init);
        assertTrue(Arrays.stream(r.ids()).noneMatch(id -> id == 1), "the twin with the higher index gets nothing");
        assertTrue(Arrays.stream(r.ids()).anyMatch(id -> id == 0));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, Arrays.copyOfRange(r.centroids(), 4, 8));
    }

    @Test
    void oneIterationReturnsTheMeansOfTheFirstAssignment() {
        SliceBatch b = new SliceBatch(2, 120, 6);
        float[] x = TestData.gaussian(12, b.numel());
        ClusteringResult r = km.cluster(ref, b, x, cfg(7, 2).withMaxIters(1), null);
        assertArrayEquals(new int[] {1, 1}, r.iterations());
        float[] init = dev.qvg.api.reference.LloydKMeans.initialCentroids(b, x, cfg(7, 2));
        for (int row = 0; row < b.rows(); row++) {
            assertEquals(TestData.nearest(b, x, row, init, 7), r.ids()[row]);
        }
        assertCentroidsAreMeans(b, x, r, 7);
    }

    @Test
    void stoppingOnTolReturnsTheLastUpdateNotTheCentroidsTheIdsWereAssignedTo() {
        // tol 0.5: round 1 changes every id, round 2 fewer than half, so the slice stops after
        // round 2 with ids still moving. The centroids returned are round 2's update (the means of
        // the returned ids); those ids were assigned against round 1's centroids, so some row is
        // no longer nearest to its own returned centroid.
        SliceBatch b = new SliceBatch(1, 500, 8);
        float[] x = TestData.gaussian(16, b.numel());
        ClusteringResult r = km.cluster(ref, b, x, new KMeansConfig(12, 100, 0.5, 1, KMeansInit.RANDOM), null);
        assertArrayEquals(new int[] {2}, r.iterations());
        assertCentroidsAreMeans(b, x, r, 12);
        int moved = 0;
        for (int row = 0; row < b.rows(); row++) {
            moved += TestData.nearest(b, x, row, r.centroids(), 12) != r.ids()[row] ? 1 : 0;
        }
        assertTrue(moved > 0, "the ids are the last assignment, made before the last update");
    }

    @Test
    void warmStartFromAConvergedResultStopsAfterTwoRounds() {
        SliceBatch b = new SliceBatch(1, 300, 8);
        float[] x = TestData.gaussian(13, b.numel());
        ClusteringResult first = km.cluster(ref, b, x, cfg(6, 4), null);
        ClusteringResult again = km.cluster(ref, b, x, cfg(6, 99), first.centroids());
        assertArrayEquals(new int[] {2}, again.iterations(), "round 1 changes every id from 'none', round 2 none");
        assertArrayEquals(first.ids(), again.ids());
        assertArrayEquals(first.centroids(), again.centroids());
    }

    @Test
    void fewerRowsThanClustersWorks() {
        SliceBatch b = new SliceBatch(2, 5, 3);
        float[] x = TestData.gaussian(14, b.numel());
        ClusteringResult r = km.cluster(ref, b, x, cfg(8, 0), null);
        assertTrue(Arrays.stream(r.ids()).allMatch(id -> id >= 0 && id < 8));
        assertCentroidsAreMeans(b, x, r, 8);
        // k-means++ picks every distinct row before repeating, so each row is its own centroid.
        ClusteringResult pp = km.cluster(ref, b, x, cfg(8, 0).withInit(KMeansInit.KMEANS_PLUS_PLUS), null);
        double[] obj = TestData.objective(b, x, pp.centroids(), 8, pp.ids());
        assertArrayEquals(new double[] {0, 0}, obj);
    }

    @Test
    void singleTokenConstantAndZeroSlices() {
        SliceBatch one = new SliceBatch(1, 1, 4);
        float[] x = {1f, -2f, 3f, 0.5f};
        ClusteringResult r = km.cluster(ref, one, x, cfg(4, 0), null);
        assertArrayEquals(new int[] {0}, r.ids());
        assertArrayEquals(new int[] {2}, r.iterations());
        assertArrayEquals(x, Arrays.copyOf(r.centroids(), 4));

        SliceBatch b = new SliceBatch(2, 64, 4);
        float[] constant = new float[b.numel()];
        Arrays.fill(constant, 0, 256, 3.5f);   // slice 0 constant, slice 1 all zero
        for (KMeansInit init : KMeansInit.values()) {
            ClusteringResult c = km.cluster(ref, b, constant, cfg(8, 0).withInit(init), null);
            assertTrue(Arrays.stream(c.ids()).allMatch(id -> id == 0), init.name());
            assertArrayEquals(new int[] {2, 2}, c.iterations());
            assertArrayEquals(new float[] {3.5f, 3.5f, 3.5f, 3.5f}, Arrays.copyOf(c.centroids(), 4));
            assertArrayEquals(new float[4], Arrays.copyOfRange(c.centroids(), 8 * 4, 9 * 4));
        }
    }

    @Test
    void badInputFailsNamingTheProblem() {
        SliceBatch b = new SliceBatch(1, 10, 4);
        float[] x = TestData.gaussian(15, b.numel());
        x[13] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> km.cluster(ref, b, x, cfg(2, 0), null));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("token 3"), e.getMessage());
        x[13] = Float.POSITIVE_INFINITY;
        assertThrows(IllegalArgumentException.class, () -> km.cluster(ref, b, x, cfg(2, 0), null));
        float[] ok = TestData.gaussian(15, b.numel());
        e = assertThrows(IllegalArgumentException.class, () -> km.cluster(ref, b, ok, cfg(2, 0), new float[5]));
        assertTrue(e.getMessage().startsWith("initialCentroids"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> km.cluster(ref, b, new float[39], cfg(2, 0), null));
        assertTrue(e.getMessage().startsWith("points"), e.getMessage());
    }

    private static float[] concat(float[] a, float[] b) {
        float[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
