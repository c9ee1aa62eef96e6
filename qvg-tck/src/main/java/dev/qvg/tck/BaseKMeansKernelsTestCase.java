package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

/**
 * The k-means kernels {@code assign} and {@code updateCentroids} against
 * {@link dev.qvg.api.reference.ReferenceKernels} for fixed centroids: ids equal except on true
 * near-ties (each mismatch is verified by recomputing both distances in double, see
 * {@link Tolerances#NEAR_TIE_RELATIVE}); exact ties go to the lowest index; {@code changed}
 * counts agree with the ids; inactive slices and empty clusters are left bit for bit alone;
 * updated centroids within {@link Tolerances#CENTROID_RELATIVE}.
 */
public abstract class BaseKMeansKernelsTestCase extends BackendKitTestCase {

    /** (dim, tokens, clusters): every model head dim, odd token counts, 1 to 256 clusters. */
    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(64, 61, 16), Arguments.of(128, 37, 256), Arguments.of(256, 127, 7),
                Arguments.of(128, 1, 3), Arguments.of(64, 127, 1), Arguments.of(256, 61, 64));
    }

    // ---------------------------------------------------------------- assign

    @ParameterizedTest(name = "D={0} S={1} K={2}")
    @MethodSource("shapes")
    void assignMatchesReferenceExceptNearTies(int dim, int tokens, int clusters) {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 3, tokens, dim, clusters, 1f);
        int[] prior = randomPriorIds(r, k.batch().rows(), clusters);
        checkAssign(k, prior, null, "random D=" + dim + " S=" + tokens + " K=" + clusters);
    }

    @Test
    void assignExactTiesGoToLowestIndex() {
        Random r = random();
        for (int clusters : new int[]{2, 9, 64}) {
            Fixtures.KMeansCase k = Fixtures.exactTies(r, 2, 61, 128, clusters);
            int[] want = assignOn(reference(), k, new int[k.batch().rows()], null).ids;
            int[] got = assignOn(backend(), k, new int[k.batch().rows()], null).ids;
            Checks.assertSameInts(want, got, k.batch().tokens(),
                    "ids on exact distance ties (K=" + clusters + "; the lower index must win)");
        }
    }

    @Test
    void assignLeavesInactiveSlicesAlone() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 4, 37, 64, 8, 1f);
        boolean[] active = {true, false, true, false};
        checkAssign(k, randomPriorIds(r, k.batch().rows(), 8), active, "active mask");
    }

    @ParameterizedTest(name = "magnitude {0}")
    @ValueSource(floats = {1e-15f, 1e-6f, 1e6f, 1e15f})
    void assignAtExtremeMagnitudes(float magnitude) {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 2, 61, 128, 16, magnitude);
        checkAssign(k, randomPriorIds(r, k.batch().rows(), 16), null, "magnitude " + magnitude);
    }

    @Test
    void assignAllEqualPoints() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 2, 37, 64, 16, 1f);
        Arrays.fill(k.points(), 0.375f);
        Checks.assertSameInts(assignOn(reference(), k, new int[k.batch().rows()], null).ids,
                assignOn(backend(), k, new int[k.batch().rows()], null).ids, 37, "ids of identical points");
    }

    @Test
    void assignTwiceReportsNoChange() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 3, 61, 64, 16, 1f);
        int[] ids = randomPriorIds(r, k.batch().rows(), 16);
        assignOn(backend(), k, ids, null);
        int[] changed = new int[3];
        Arrays.fill(changed, -1);
        backend().assign(k.batch(), k.points(), k.centroids(), 16, ids, changed, null);
        Checks.assertSameInts(new int[3], changed, 3, "changed after re-assigning to the same centroids");
    }

    private record Assigned(int[] ids, int[] changed) {
    }

    private static Assigned assignOn(dev.qvg.api.spi.Backend b, Fixtures.KMeansCase k, int[] ids, boolean[] active) {
        int[] changed = new int[k.batch().slices()];
        Arrays.fill(changed, -7);
        b.assign(k.batch(), k.points(), k.centroids(), k.clusters(), ids, changed, active);
        return new Assigned(ids, changed);
    }

    private void checkAssign(Fixtures.KMeansCase k, int[] prior, boolean[] active, String what) {
        SliceBatch b = k.batch();
        float[] points = k.points().clone(), cents = k.centroids().clone();
        Assigned want = assignOn(reference(), k, prior.clone(), active);
        Assigned got = assignOn(backend(), k, prior.clone(), active);
        Checks.assertSameFloats(points, k.points(), b.dim(), what + ": assign modified points");
        Checks.assertSameFloats(cents, k.centroids(), b.dim(), what + ": assign modified centroids");
        int S = b.tokens(), D = b.dim(), K = k.clusters();
        for (int i = 0; i < b.slices(); i++) {
            boolean on = active == null || active[i];
            int changed = 0;
            for (int s = 0; s < S; s++) {
                int row = i * S + s;
                int g = got.ids[row];
                if (!on) {
                    assertEquals(prior[row], g, what + ": id of row " + row + " of inactive slice " + i + " was written");
                    continue;
                }
                if (g < 0 || g >= K) {
                    throw new AssertionFailedError(what + ": id " + g + " of row " + row + " is outside [0, " + K + ")");
                }
                if (g != prior[row]) {
                    changed++;
                }
                int w = want.ids[row];
                if (g != w) {
                    requireNearTie(k, row, i * K, w, g, what);
                }
            }
            assertEquals(on ? changed : -7, got.changed[i], what + ": changed[" + i + "] (ids that differ from the prior"
                    + " ones" + (on ? "" : "; inactive slices must be left alone") + ")");
        }
    }

    /** Fails unless ids {@code a} and {@code b} are a near-tie for this row, by distances in double. */
    private static void requireNearTie(Fixtures.KMeansCase k, int row, int cBase, int want, int got, String what) {
        int D = k.batch().dim();
        double da = 0, db = 0, xx = 0, ca = 0, cb = 0;
        for (int d = 0; d < D; d++) {
            double x = k.points()[row * D + d];
            double a = k.centroids()[(cBase + want) * D + d], b = k.centroids()[(cBase + got) * D + d];
            da += (x - a) * (x - a);
            db += (x - b) * (x - b);
            xx += x * x;
            ca += a * a;
            cb += b * b;
        }
        double tol = Tolerances.NEAR_TIE_RELATIVE * (xx + ca + cb);
        if (Math.abs(db - da) > tol) {
            throw new AssertionFailedError(String.format(Locale.ROOT,
                    "%s: row %d assigned to centroid %d (distance %.9g) instead of %d (distance %.9g); the "
                            + "difference %.3g is not a near-tie (tolerance %.3g)", what, row, got, db, want, da,
                    Math.abs(db - da), tol));
        }
    }

    static int[] randomPriorIds(Random r, int rows, int clusters) {
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = r.nextInt(4) == 0 ? -1 : r.nextInt(clusters);
        }
        return ids;
    }

    // ---------------------------------------------------------------- updateCentroids

    @ParameterizedTest(name = "D={0} S={1} K={2}")
    @MethodSource("shapes")
    void updateCentroidsMatchesReference(int dim, int tokens, int clusters) {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 3, tokens, dim, clusters, 1f);
        checkUpdate(k, referenceIds(k), null, "random D=" + dim + " S=" + tokens + " K=" + clusters);
    }

    @Test
    void updateCentroidsKeepsEmptyClusters() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.blobs(r, 2, 61, 128, 12, 4);
        checkUpdate(k, referenceIds(k), null, "blobs with 4 empty clusters");
    }

    @Test
    void updateCentroidsLeavesInactiveSlicesAlone() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 4, 37, 64, 8, 1f);
        int[] ids = referenceIds(k);
        ids[37] = 1000; // an out-of-range id in an inactive slice is not looked at
        checkUpdate(k, ids, new boolean[]{true, false, true, true}, "active mask");
    }

    @ParameterizedTest(name = "magnitude {0}")
    @ValueSource(floats = {1e-15f, 1e-6f, 1e6f, 1e15f})
    void updateCentroidsAtExtremeMagnitudes(float magnitude) {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 2, 127, 128, 5, magnitude);
        checkUpdate(k, referenceIds(k), null, "magnitude " + magnitude);
    }

    @Test
    void updateCentroidsOfAllEqualValues() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 1, scaled(509), 64, 3, 1f);
        Arrays.fill(k.points(), 0.1f);
        int[] ids = new int[k.batch().rows()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % 2; // cluster 2 stays empty
        }
        checkUpdate(k, ids, null, "identical points");
    }

    private int[] referenceIds(Fixtures.KMeansCase k) {
        int[] ids = new int[k.batch().rows()];
        reference().assign(k.batch(), k.points(), k.centroids(), k.clusters(), ids, new int[k.batch().slices()], null);
        return ids;
    }

    private void checkUpdate(Fixtures.KMeansCase k, int[] ids, boolean[] active, String what) {
        SliceBatch b = k.batch();
        int S = b.tokens(), D = b.dim(), K = k.clusters();
        float[] points = k.points().clone();
        int[] idsBefore = ids.clone();
        float[] want = k.centroids().clone();
        float[] got = k.centroids().clone();
        reference().updateCentroids(b, k.points(), ids, K, want, active);
        backend().updateCentroids(b, k.points(), ids, K, got, active);
        Checks.assertSameFloats(points, k.points(), D, what + ": updateCentroids modified points");
        Checks.assertSameInts(idsBefore, ids, S, what + ": updateCentroids modified ids");
        for (int i = 0; i < b.slices(); i++) {
            boolean on = active == null || active[i];
            double[] maxAbs = new double[K * D];
            int[] count = new int[K];
            if (on) {
                for (int s = 0; s < S; s++) {
                    int row = i * S + s, c = ids[row];
                    count[c]++;
                    for (int d = 0; d < D; d++) {
                        maxAbs[c * D + d] = Math.max(maxAbs[c * D + d], Math.abs(k.points()[row * D + d]));
                    }
                }
            }
            for (int c = 0; c < K; c++) {
                for (int d = 0; d < D; d++) {
                    int at = (i * K + c) * D + d;
                    if (!on || count[c] == 0) {
                        if (Float.floatToIntBits(k.centroids()[at]) != Float.floatToIntBits(got[at])) {
                            throw new AssertionFailedError(what + ": centroid " + c + " of slice " + i + ", coordinate " + d
                                    + (on ? " (an empty cluster)" : " (an inactive slice)") + " must keep "
                                    + k.centroids()[at] + ", got " + got[at]);
                        }
                        continue;
                    }
                    double tol = Tolerances.CENTROID_RELATIVE * maxAbs[c * D + d];
                    if (!(Math.abs((double) got[at] - want[at]) <= tol)) {
                        throw new AssertionFailedError(String.format(Locale.ROOT,
                                "%s: centroid %d of slice %d (%d rows), coordinate %d: want %.9g, got %.9g, tolerance %.3g",
                                what, c, i, count[c], d, want[at], got[at], tol));
                    }
                }
            }
        }
    }
}
