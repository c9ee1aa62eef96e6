package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kit for a {@link ResidualQuantizer} provider (spec section 5): the number of stages asked,
 * stage {@code s} clustered with seed {@code Seeds.derive(seed, s)} on what stage {@code s - 1}
 * left, the stage-init hook asked once per stage in order with that stage's input, decode equal
 * to {@code dequant(blocks) + sum of stored centroids}, stages lowering the error on redundant
 * tokens, determinism, and bad arguments refused before any work. It runs in a context of the
 * reference backend, the standard k-means and SAS unless {@link #newContext} says otherwise.
 */
public abstract class BaseResidualQuantizerTestCase extends KitTestCase {

    private ResidualQuantizer rq;
    private QuantizerContext ctx;

    protected abstract ResidualQuantizer newResidualQuantizer();

    /** The context it runs in, built around the quantizer under test. */
    protected QuantizerContext newContext(ResidualQuantizer quantizer) {
        return new QuantizerContext(new ReferenceBackend(), Qvg.clusterers().getAvailable("kmeans").create(),
                Qvg.smoothers().getAvailable("sas").create(), quantizer);
    }

    @BeforeAll
    final void createResidualQuantizer() {
        rq = newResidualQuantizer();
        ctx = newContext(rq);
    }

    @Override
    protected String subjectKind() {
        return "residual quantizer";
    }

    @Override
    protected String subjectName() {
        return rq == null ? "?" : rq.getClass().getSimpleName();
    }

    private static final BlockQuantConfig Q = BlockQuantConfig.publishedInt2().withBlockSize(16);

    private static KMeansConfig km(Random r, int clusters) {
        return new KMeansConfig(clusters, 6, 0, r.nextLong(), KMeansInit.RANDOM);
    }

    @Test
    void stageSClustersWhatStageSMinusOneLeftWithItsOwnSeed() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 96, 32);
        float[] x = Fixtures.clusteredTokens(r, 2, 96, 32, 5);
        KMeansConfig c = km(r, 8);
        ResidualCode code = rq.encode(ctx, b, x.clone(), 3, c, Q, null);
        assertEquals(3, code.stages().size(), "stages");
        SpanPlan plan = new SpanPlan(3, c, Q, null);
        float[] residual = x.clone();
        for (int s = 0; s < 3; s++) {
            ClusteringResult want = ctx.clusterer().cluster(ctx.backend(), b, residual, plan.stageConfig(s), null);
            ClusterStage got = code.stages().get(s);
            Checks.assertSameInts(want.ids(), got.ids(), 96, "stage " + s + " ids (k-means of the previous residual "
                    + "with Seeds.derive(seed, " + s + "))");
            ClusterStage stored = dev.qvg.api.reference.SpanEncoding.storedStage(b, 8, want);
            ctx.backend().subtractCentroids(b, residual, stored.ids(), stored.centroidsAsFloat(), 8);
        }
    }

    @Test
    void theStageInitHookIsAskedOncePerStageInOrderWithThatStagesInput() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 64, 16);
        float[] x = Fixtures.clusteredTokens(r, 2, 64, 16, 4);
        KMeansConfig c = km(r, 4);
        List<Integer> asked = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        ResidualCode code = rq.encode(ctx, b, x.clone(), 2, c, Q, (s, input) -> {
            asked.add(s);
            inputs.add(input.clone());
            return null;
        });
        assertEquals(List.of(0, 1), asked, "the hook is asked once per stage, in order");
        Checks.assertSameFloats(x, inputs.get(0), 16, "stage 0's input is the tensor itself");
        float[] after0 = x.clone();
        ClusterStage s0 = code.stages().get(0);
        ctx.backend().subtractCentroids(b, after0, s0.ids(), s0.centroidsAsFloat(), 4);
        Checks.assertSameFloats(after0, inputs.get(1), 16, "stage 1's input is what stage 0 left");
    }

    @Test
    void decodeIsBlocksPlusStoredCentroids() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 80, 32);
        float[] x = Fixtures.clusteredTokens(r, 2, 80, 32, 5);
        ResidualCode code = rq.encode(ctx, b, x.clone(), 2, km(r, 8), Q, null);
        float[] got = new float[x.length];
        rq.decode(ctx.backend(), b, code, got);
        float[] want = new float[x.length];
        ReferenceBackend ref = new ReferenceBackend();
        ref.unpackDequant(code.blocks(), want);
        for (ClusterStage st : code.stages()) {
            ref.accumulateCentroids(b, want, st.ids(), st.centroidsAsFloat(), st.clusters());
        }
        Checks.assertSameFloats(want, got, 32, "decode = dequant(blocks) + sum of stored centroids");
    }

    @Test
    void stagesLowerTheErrorOnRedundantTokens() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 256, 32);
        float[] x = Fixtures.clusteredTokens(r, 2, 256, 32, 6);
        KMeansConfig c = km(r, 16);
        double rtn = relL2(b, x, rq.encode(ctx, b, x.clone(), 0, c, Q, null));
        double sas = relL2(b, x, rq.encode(ctx, b, x.clone(), 1, c, Q, null));
        assertTrue(sas < 0.7 * rtn, "one stage should cut the error of plain block quantization on clustered tokens: "
                + sas + " vs " + rtn);
    }

    private double relL2(SliceBatch b, float[] x, ResidualCode code) {
        float[] out = new float[x.length];
        rq.decode(ctx.backend(), b, code, out);
        return ErrorMetrics.compare(x, out, b.dim()).relL2();
    }

    @Test
    void sameInputSameBits() {
        Random r = random();
        SliceBatch b = new SliceBatch(2, 70, 16);
        float[] x = Fixtures.clusteredTokens(r, 2, 70, 16, 4);
        KMeansConfig c = km(r, 6);
        ResidualCode a = rq.encode(ctx, b, x.clone(), 2, c, Q, null);
        ResidualCode again = rq.encode(ctx, b, x.clone(), 2, c, Q, null);
        Checks.assertSameBlocks(a.blocks(), again.blocks(), "blocks of two identical runs");
        for (int s = 0; s < 2; s++) {
            Checks.assertSameInts(a.stages().get(s).ids(), again.stages().get(s).ids(), 70, "stage " + s + " ids");
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyWork() {
        Random r = random();
        SliceBatch b = new SliceBatch(1, 40, 32);
        float[] x = Fixtures.clusteredTokens(r, 1, 40, 32, 3);
        KMeansConfig c = km(r, 4);
        boolean[] asked = {false};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rq.encode(ctx, b, x.clone(), 1, c, Q.withBlockSize(64), (s, in) -> {
                    asked[0] = true;
                    return null;
                }));
        assertTrue(e.getMessage().startsWith("blockSize"), e.getMessage());
        assertTrue(!asked[0], "a bad block size must be refused before any stage runs");
        e = assertThrows(IllegalArgumentException.class, () -> rq.encode(ctx, b, x.clone(), -1, c, Q, null));
        assertTrue(e.getMessage().startsWith("stages"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> rq.encode(ctx, b, new float[5], 1, c, Q, null));
        assertTrue(e.getMessage().startsWith("x"), e.getMessage());
    }
}
