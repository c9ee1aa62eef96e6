package dev.qvg.smoothing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SasSmootherTest {

    private final ReferenceBackend ref = new ReferenceBackend();
    private final KMeansConfig cfg = new KMeansConfig(8, 100, 1e-4, 3, KMeansInit.RANDOM);

    @Test
    void subtractsTheStoredBf16CentroidFromEveryRow() {
        SliceBatch b = new SliceBatch(2, 256, 16);
        float[] x = TestData.gaussian(20, b.numel());
        float[] work = x.clone();
        ClusterStage st = new SasSmoother().smooth(ref, new KMeansClusterer(), b, work, cfg, null);
        ClusteringResult r = new KMeansClusterer().cluster(ref, b, x, cfg, null);
        assertArrayEquals(r.ids(), st.ids());
        assertArrayEquals(r.iterations(), st.iterations());
        for (int i = 0; i < r.centroids().length; i++) {
            assertEquals(Bf16.fromFloat(r.centroids()[i]), st.centroids()[i]);
        }
        float[] stored = st.centroidsAsFloat();
        int S = 256, D = 16, K = 8;
        for (int row = 0; row < b.rows(); row++) {
            int c = ((row / S) * K + st.ids()[row]) * D;
            for (int d = 0; d < D; d++) {
                assertEquals(x[row * D + d] - stored[c + d], work[row * D + d], "row " + row + " dim " + d);
            }
        }
    }

    @Test
    void removesMostOfTheEnergyOfPrototypeData() {
        // 6 prototypes with large values plus noise 1% of their scale: the residual is the noise.
        int S = 600, D = 32;
        Random rnd = new Random(21);
        float[][] protos = new float[6][D];
        for (float[] p : protos) {
            for (int d = 0; d < D; d++) {
                p[d] = (float) (5 * rnd.nextGaussian());
            }
        }
        float[] x = new float[S * D];
        for (int s = 0; s < S; s++) {
            for (int d = 0; d < D; d++) {
                x[s * D + d] = protos[s % 6][d] + (float) (0.05 * rnd.nextGaussian());
            }
        }
        float[] work = x.clone();
        new SasSmoother().smooth(ref, new KMeansClusterer(), new SliceBatch(1, S, D), work,
                cfg.withInit(KMeansInit.KMEANS_PLUS_PLUS), null);
        double ex = 0, er = 0;
        for (int i = 0; i < x.length; i++) {
            ex += x[i] * (double) x[i];
            er += work[i] * (double) work[i];
        }
        // Noise energy / signal energy is about (0.05/5)^2 = 1e-4; allow bf16 centroid rounding.
        assertTrue(Math.sqrt(er / ex) < 0.02, "relative residual " + Math.sqrt(er / ex));
    }

    @Test
    void providersAreRegisteredUnderTheirNames() {
        assertInstanceOf(KMeansClusterer.class, Qvg.clusterers().get("kmeans").create());
        assertInstanceOf(SasSmoother.class, Qvg.smoothers().get("sas").create());
        assertTrue(Qvg.clusterers().getAvailable("kmeans").description().contains("k-means"));
    }
}
