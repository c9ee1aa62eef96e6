package dev.qvg.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.reference.LloydKMeans;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.reference.ReferenceKernels;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.tensor.SliceBatch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Each benchmark, set up on a small shape, does the work the report's work model assumes: the
 * kernels produce the reference's results and a compression runs exactly the fixed number of
 * k-means iterations per stage.
 */
class KernelBenchmarksTest {

    private static final int S = 512;

    @Test
    void kmeansIterationIsOneReferenceAssignAndUpdate() {
        KMeansBenchmark b = new KMeansBenchmark();
        b.backend = "cpu";
        b.S = S;
        b.threads = 2;
        b.setUp();
        float[] got = b.iteration().clone();
        b.tearDown();

        int D = BenchShapes.D, K = BenchShapes.K;
        SliceBatch batch = new SliceBatch(1, S, D);
        float[] x = BenchData.videoLike(S, D, 11L);
        float[] c = BenchData.rowsOf(x, S, D, K, 12L);
        int[] ids = new int[S];
        Arrays.fill(ids, -1);
        ReferenceKernels.assign(batch, x, c, K, ids, new int[1], null);
        ReferenceKernels.updateCentroids(batch, x, ids, K, c, null);
        assertArrayEquals(c, got, "the cpu backend's update is bit-exact with the reference");
    }

    @Test
    void clusterIsTheReferenceKMeansWithTheLayersIterationsAndNoEarlyStop() {
        KMeansBenchmark b = new KMeansBenchmark();
        b.backend = "cpu";
        b.S = S;
        b.threads = 2;
        b.setUp();
        ClusteringResult got = b.cluster();
        b.tearDown();

        float[] x = BenchData.videoLike(S, BenchShapes.D, 11L);
        ClusteringResult ref = LloydKMeans.run(new ReferenceBackend(), new SliceBatch(1, S, BenchShapes.D), x,
                KMeansBenchmark.clusterConfig(), null);
        assertArrayEquals(new int[] {BenchShapes.LAYER_ITERS}, got.iterations(), "tol = 0 runs every iteration");
        assertArrayEquals(ref.centroids(), got.centroids(), "bit-exact with the reference k-means");
        assertArrayEquals(ref.ids(), got.ids());
    }

    @Test
    void blockKernelsMatchTheReferenceCodec() {
        BlockCodecBenchmark b = new BlockCodecBenchmark();
        b.backend = "reference";
        b.S = S;
        b.threads = 1;
        b.bits = 2;
        b.setUp();
        int D = BenchShapes.D;
        float[] x = BenchData.videoLike(S, D, 21L);
        PackedBlocks ref = BlockCodec.quantize(x, 0, S, D, BlockQuantConfig.publishedInt2());
        PackedBlocks packed = b.quantizePack();
        assertArrayEquals(ref.codes(), packed.codes());
        assertArrayEquals(ref.scales(), packed.scales());

        float[] deq = new float[S * D];
        BlockCodec.dequantize(ref, deq, 0);
        assertArrayEquals(deq, b.unpackDequant().clone());

        float[] decoded = b.decode().clone();
        b.tearDown();
        // decode adds each token's centroid on top of the dequantized values: check one token by hand.
        float[] centroids = BenchData.rowsOf(x, S, D, BenchShapes.K, 23L);
        int id = new java.util.SplittableRandom(22L).nextInt(BenchShapes.K);
        ClusterStage st = ClusterStage.ofFloatCentroids(1, S, D, BenchShapes.K, centroids, new int[S], new int[] {1});
        float[] cf = st.centroidsAsFloat();
        for (int d = 0; d < D; d++) {
            assertEquals(deq[d] + cf[id * D + d], decoded[d], 0f, "token 0, dim " + d);
        }
    }

    @Test
    void compressionsRunTheFixedIterationBudgetPerStage() {
        CompressBenchmark b = new CompressBenchmark();
        b.backend = "cpu";
        b.S = S;
        b.threads = 2;
        b.setUp();
        QuantizedKv sas = b.sasCompress();
        QuantizedKv prq = b.prqCompress();
        b.tearDown();
        assertEquals(1, sas.stages().size());
        assertEquals(BenchShapes.COMPRESS_ITERS, sas.stages().get(0).iterations()[0],
                "tol = 0 must run every iteration, or the report's FLOP count is wrong");
        assertEquals(BenchShapes.PRQ_STAGES, prq.stages().size());
        for (ClusterStage st : prq.stages()) {
            assertEquals(BenchShapes.COMPRESS_ITERS, st.iterations()[0]);
        }
        assertEquals(S, sas.quantizedTokens());
    }

    @Test
    void backendsAreFoundByNameAndAnUnknownNameListsThePresentOnes() {
        assertTrue(BenchBackends.availableNames().contains("cpu"));
        String msg = assertThrows(RuntimeException.class, () -> BenchBackends.create("nosuch", 1)).getMessage();
        assertTrue(msg.contains("nosuch") && msg.contains("cpu"), msg);
        assertThrows(IllegalArgumentException.class, () -> BenchBackends.create("cpu", 0));
    }
}
