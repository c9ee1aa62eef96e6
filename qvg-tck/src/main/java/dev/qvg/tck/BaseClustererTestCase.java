package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kit for a {@link Clusterer} provider (spec section 3 as the SPI states it): the result's
 * shape and ranges, determinism, slices seeded by their place in the tensor (a batch cut into
 * parts gives the bits of the whole), inputs left alone, well-separated blobs recovered, more
 * clusters than tokens, and bad input refused. Subclass it with one hook:
 *
 * <pre>{@code
 * class MyClustererKitTest extends BaseClustererTestCase {
 *     protected Clusterer newClusterer() { return Qvg.clusterers().getAvailable("mine").create(); }
 * }
 * }</pre>
 *
 * The clusterer runs on {@link #newBackend()} (the reference backend unless overridden).
 */
public abstract class BaseClustererTestCase extends KitTestCase {

    private Clusterer clusterer;
    private Backend backend;

    /** The clusterer under test, as users get it (through the registry, ideally). */
    protected abstract Clusterer newClusterer();

    /** The backend it runs on; the reference backend by default. */
    protected Backend newBackend() {
        return new ReferenceBackend();
    }

    @BeforeAll
    final void createClusterer() {
        clusterer = newClusterer();
        backend = newBackend();
    }

    @Override
    protected String subjectKind() {
        return "clusterer";
    }

    @Override
    protected String subjectName() {
        return clusterer == null ? "?" : clusterer.getClass().getSimpleName();
    }

    private ClusteringResult run(SliceBatch b, float[] x, KMeansConfig c, float[] init) {
        return clusterer.cluster(backend, b, x, c, init);
    }

    private static KMeansConfig config(Random r, int clusters, int maxIters) {
        return new KMeansConfig(clusters, maxIters, 1e-4, r.nextLong(),
                r.nextBoolean() ? KMeansInit.RANDOM : KMeansInit.KMEANS_PLUS_PLUS);
    }

    @Test
    void resultHasTheContractsShapeAndRanges() {
        Random r = random();
        for (int[] shape : new int[][] {{3, 120, 32, 8}, {1, 37, 64, 16}, {2, 64, 16, 1}}) {
            SliceBatch b = new SliceBatch(shape[0], shape[1], shape[2]);
            KMeansConfig c = config(r, shape[3], 7);
            ClusteringResult res = run(b, Fixtures.clusteredTokens(r, b.slices(), b.tokens(), b.dim(), 5), c, null);
            assertEquals(b.slices() * c.clusters() * b.dim(), res.centroids().length, "centroids length for " + b);
            assertEquals(b.rows(), res.ids().length, "ids length for " + b);
            assertEquals(b.slices(), res.iterations().length, "one iteration count per slice");
            assertTrue(Arrays.stream(res.ids()).allMatch(id -> id >= 0 && id < c.clusters()), "ids in [0, K)");
            assertTrue(Arrays.stream(res.iterations()).allMatch(it -> it >= 1 && it <= c.maxIters()),
                    "iterations in [1, maxIters]: " + Arrays.toString(res.iterations()));
            for (float v : res.centroids()) {
                assertTrue(Float.isFinite(v), "centroids must be finite");
            }
        }
    }

    @Test
    void sameInputSameBits() {
        Random r = random();
        SliceBatch b = new SliceBatch(3, 150, 32);
        float[] x = Fixtures.clusteredTokens(r, 3, 150, 32, 6);
        KMeansConfig c = config(r, 12, 10);
        ClusteringResult a = run(b, x, c, null), again = run(b, x, c, null);
        Checks.assertSameInts(a.ids(), again.ids(), b.tokens(), "ids of two identical runs");
        Checks.assertSameFloats(a.centroids(), again.centroids(), b.dim(), "centroids of two identical runs");
    }

    @Test
    void partsOfABatchGiveTheBitsOfTheWhole() {
        Random r = random();
        SliceBatch whole = new SliceBatch(4, 90, 32);
        float[] x = Fixtures.clusteredTokens(r, 4, 90, 32, 5);
        KMeansConfig c = config(r, 8, 6);
        ClusteringResult all = run(whole, x, c, null);
        SliceBatch part = whole.part(1, 2);
        int n = whole.sliceSize();
        ClusteringResult got = run(part, Arrays.copyOfRange(x, n, 3 * n), c, null);
        Checks.assertSameInts(Arrays.copyOfRange(all.ids(), 90, 3 * 90), got.ids(), 90,
                "slices 1-2 clustered as a part (firstSlice = 1) against the whole: slice i must draw from "
                        + "batch.sliceSeed(seed, i)");
        Checks.assertSameFloats(Arrays.copyOfRange(all.centroids(), 8 * 32, 3 * 8 * 32), got.centroids(), 32,
                "centroids of a part");
    }

    @Test
    void inputsAreLeftAlone() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.blobs(r, 2, 80, 16, 6, 1);
        float[] points = k.points().clone(), init = k.centroids().clone();
        run(k.batch(), k.points(), new KMeansConfig(6, 5, 0, 1, KMeansInit.RANDOM), k.centroids());
        assertArrayEquals(points, k.points(), "points must not be modified");
        assertArrayEquals(init, k.centroids(), "initial centroids must not be modified");
    }

    @Test
    void wellSeparatedBlobsAreRecovered() {
        Random r = random();
        int K = 6;
        Fixtures.KMeansCase k = Fixtures.blobs(r, 2, 120, 16, K, 0);
        ClusteringResult res = run(k.batch(), k.points(), new KMeansConfig(K, 20, 0, 3, KMeansInit.RANDOM),
                k.centroids());
        // Blob j's rows start on centroid j; a correct clusterer keeps every blob together.
        for (int i = 0; i < 2; i++) {
            for (int s = 0; s < 120; s++) {
                int row = i * 120 + s;
                int nearest = nearestStart(k, row, K);
                assertEquals(nearest, res.ids()[row], "slice " + i + " token " + s + " left its blob");
            }
        }
    }

    private static int nearestStart(Fixtures.KMeansCase k, int row, int K) {
        int D = k.batch().dim(), i = row / k.batch().tokens(), best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int c = 0; c < K; c++) {
            double d2 = 0;
            for (int d = 0; d < D; d++) {
                double diff = k.points()[row * D + d] - k.centroids()[(i * K + c) * D + d];
                d2 += diff * diff;
            }
            if (d2 < bestD) {
                bestD = d2;
                best = c;
            }
        }
        return best;
    }

    @Test
    void moreClustersThanTokensWork() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 5, 8);
        ClusteringResult res = run(b, Fixtures.clusteredTokens(r, 2, 5, 8, 3), config(r, 16, 5), null);
        assertTrue(Arrays.stream(res.ids()).allMatch(id -> id >= 0 && id < 16), "ids in range with K > S");
    }

    @Test
    void badInputIsRefused() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 40, 16);
        float[] x = Fixtures.clusteredTokens(r, 2, 40, 16, 3);
        x[77] = Float.POSITIVE_INFINITY;
        KMeansConfig c = config(r, 4, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(b, x, c, null));
        assertTrue(e.getMessage().contains("non-finite"), "the message must say what is wrong: " + e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run(b, new float[7], c, null), "wrong points length");
        assertThrows(IllegalArgumentException.class,
                () -> run(b, Fixtures.clusteredTokens(r, 2, 40, 16, 3), c, new float[3]), "wrong centroids length");
    }
}
