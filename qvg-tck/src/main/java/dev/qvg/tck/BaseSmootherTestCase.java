package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.Smoother;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kit for a {@link Smoother} provider (spec section 4): the stage it returns fits the batch;
 * the residual it leaves is exactly the input minus each row's <em>stored</em> (bf16) centroid, so
 * decoding adds back exactly what was taken; on redundant tokens it removes most of the energy;
 * same input, same bits; bad input refused with the input untouched. It runs with
 * {@link #newClusterer()} (the registry's {@code kmeans} unless overridden) on {@link #newBackend()}.
 */
public abstract class BaseSmootherTestCase extends KitTestCase {

    private Smoother smoother;
    private Clusterer clusterer;
    private Backend backend;

    protected abstract Smoother newSmoother();

    protected Clusterer newClusterer() {
        return Qvg.clusterers().getAvailable("kmeans").create();
    }

    protected Backend newBackend() {
        return new ReferenceBackend();
    }

    @BeforeAll
    final void createSmoother() {
        smoother = newSmoother();
        clusterer = newClusterer();
        backend = newBackend();
    }

    @Override
    protected String subjectKind() {
        return "smoother";
    }

    @Override
    protected String subjectName() {
        return smoother == null ? "?" : smoother.getClass().getSimpleName();
    }

    private KMeansConfig config(Random r, int clusters) {
        return new KMeansConfig(clusters, 8, 1e-4, r.nextLong(), KMeansInit.RANDOM);
    }

    @Test
    void residualIsTheInputMinusTheStoredCentroid() {
        Random r = random();
        SliceBatch b = new SliceBatch(3, 100, 32);
        float[] x = Fixtures.clusteredTokens(r, 3, 100, 32, 5);
        float[] before = x.clone();
        ClusterStage st = smoother.smooth(backend, clusterer, b, x, config(r, 8), null);
        assertEquals(b.slices(), st.slices(), "stage slices");
        assertEquals(b.tokens(), st.tokens(), "stage tokens");
        assertEquals(b.dim(), st.dim(), "stage dim");
        assertEquals(8, st.clusters(), "stage clusters");
        float[] stored = st.centroidsAsFloat();
        float[] want = new float[x.length];
        for (int row = 0; row < b.rows(); row++) {
            int c = ((row / b.tokens()) * 8 + st.ids()[row]) * b.dim();
            for (int d = 0; d < b.dim(); d++) {
                want[row * b.dim() + d] = before[row * b.dim() + d] - stored[c + d];
            }
        }
        Checks.assertSameFloats(want, x, b.dim(), "residual = x - bf16 centroid (what decoding adds back)");
    }

    @Test
    void redundantTokensLoseMostOfTheirEnergy() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 200, 32);
        float[] x = Fixtures.clusteredTokens(r, 2, 200, 32, 4);
        double before = energy(x);
        smoother.smooth(backend, clusterer, b, x, config(r, 16), null);
        double after = energy(x);
        assertTrue(after < 0.5 * before, "smoothing kept " + after / before + " of the energy of clustered tokens");
    }

    private static double energy(float[] x) {
        double e = 0;
        for (float v : x) {
            e += (double) v * v;
        }
        return e;
    }

    @Test
    void sameInputSameBits() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 90, 16);
        float[] x = Fixtures.clusteredTokens(r, 2, 90, 16, 4);
        KMeansConfig c = config(r, 6);
        float[] x1 = x.clone(), x2 = x.clone();
        ClusterStage a = smoother.smooth(backend, clusterer, b, x1, c, null);
        ClusterStage again = smoother.smooth(backend, clusterer, b, x2, c, null);
        Checks.assertSameShorts(a.centroids(), again.centroids(), 16, "stored centroids of two identical runs");
        Checks.assertSameInts(a.ids(), again.ids(), 90, "ids of two identical runs");
        Checks.assertSameFloats(x1, x2, 16, "residuals of two identical runs");
    }

    @Test
    void badInputIsRefusedAndLeavesTheInputAlone() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 50, 16);
        float[] x = Fixtures.clusteredTokens(r, 2, 50, 16, 3);
        x[301] = Float.NaN;
        float[] before = x.clone();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> smoother.smooth(backend, clusterer, b, x, config(r, 4), null));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        assertArrayEquals(before, x, "the input must be untouched when refused");
        float[] huge = new float[b.numel()];
        java.util.Arrays.fill(huge, Float.MAX_VALUE);
        e = assertThrows(IllegalArgumentException.class,
                () -> smoother.smooth(backend, clusterer, b, huge, config(r, 2), null));
        assertTrue(e.getMessage().contains("bfloat16"), "a centroid that overflows its storage must be refused: "
                + e.getMessage());
    }
}
