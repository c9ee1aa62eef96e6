package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.Seeds;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.tensor.SliceBatch;
import org.junit.jupiter.api.Test;

class PrqResidualQuantizerTest {

    private final QuantizerContext ctx = Fixtures.context();
    private final PrqResidualQuantizer prq = new PrqResidualQuantizer();
    private final SliceBatch batch = new SliceBatch(2, 96, 32);
    private final KMeansConfig km = new KMeansConfig(8, 50, 1e-4, 17, KMeansInit.RANDOM);
    private final BlockQuantConfig q = new BlockQuantConfig(2, 16, true, dev.qvg.api.config.ScalePrecision.BF16);

    private float[] data() {
        return Fixtures.gaussian(new dev.qvg.api.tensor.KvShape(1, 2, 96, 32), 30).data();
    }

    @Test
    void stageSUsesSeedDerivedFromSAndClustersTheResidualOfTheStageBefore() {
        float[] x = data();
        float[] work = x.clone();
        ResidualCode code = prq.encode(ctx, batch, work, 2, km, q, null);
        float[] manual = x.clone();
        for (int s = 0; s < 2; s++) {
            KMeansConfig stageCfg = km.withSeed(Seeds.derive(17, s));
            ClusteringResult r = ctx.clusterer().cluster(ctx.backend(), batch, manual.clone(), stageCfg, null);
            ClusterStage st = code.stages().get(s);
            assertArrayEquals(r.ids(), st.ids(), "stage " + s);
            ctx.backend().subtractCentroids(batch, manual, st.ids(), st.centroidsAsFloat(), 8);
        }
        assertArrayEquals(manual, work, "x is left holding the final residual");
        assertArrayEquals(ctx.backend().quantizePack(manual, 192, 32, q).codes(), code.blocks().codes());
    }

    @Test
    void decodeAddsTheStageCentroidsToTheDequantizedResidual() {
        float[] x = data();
        ResidualCode code = prq.encode(ctx, batch, x.clone(), 3, km, q, null);
        float[] out = new float[x.length];
        prq.decode(ctx.backend(), batch, code, out);
        float[] expected = new float[x.length];
        ctx.backend().unpackDequant(code.blocks(), expected);
        for (ClusterStage st : code.stages()) {
            ctx.backend().accumulateCentroids(batch, expected, st.ids(), st.centroidsAsFloat(), 8);
        }
        assertArrayEquals(expected, out);
    }

    @Test
    void warmStartIsUsedPerStage() {
        float[] x = data();
        ResidualCode cold = prq.encode(ctx, batch, x.clone(), 1, km, q, null);
        float[] warm = cold.stages().get(0).centroidsAsFloat();
        ResidualCode again = prq.encode(ctx, batch, x.clone(), 1, km.withSeed(999), q, (s, input) -> warm);
        // From (bf16-rounded) converged centroids the same partition is found at once.
        assertArrayEquals(cold.stages().get(0).ids(), again.stages().get(0).ids());
        for (int it : again.stages().get(0).iterations()) {
            assertTrue(it <= 3, "warm start took " + it + " iterations");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        float[] x = data();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> prq.encode(ctx, batch, x, 1, km, q, (s, input) -> new float[3]));
        assertTrue(e.getMessage().startsWith("initialCentroids"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> prq.encode(ctx, batch, x, -1, km, q, null));
        assertTrue(e.getMessage().startsWith("stages"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> prq.encode(ctx, batch, x, 1, km, q.withBlockSize(64), null));
        assertTrue(e.getMessage().startsWith("blockSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> prq.encode(ctx, batch, new float[10], 1, km, q, null));
        assertTrue(e.getMessage().startsWith("x"), e.getMessage());
        ResidualCode code = prq.encode(ctx, batch, x.clone(), 1, km, q, null);
        e = assertThrows(IllegalArgumentException.class,
                () -> prq.decode(ctx.backend(), new SliceBatch(1, 192, 32), code, new float[x.length]));
        assertTrue(e.getMessage().startsWith("code"), e.getMessage());
        assertEquals(1, code.stages().size());
    }
}
