package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.ReferenceKernels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fixtures really contain the hard cases their names promise (else the kit tests less than it says). */
class FixturesTest {

    private final Random r = new Random(7);

    @Test
    void exactTiesAreBitIdenticalDistances() {
        Fixtures.KMeansCase k = Fixtures.exactTies(r, 2, 61, 128, 9);
        int D = 128, K = 9, ties = 0;
        for (int row = 0; row < k.batch().rows(); row++) {
            int cBase = (row / 61) * K * D;
            for (int j = 0; j < 4; j++) {
                float a = ReferenceKernels.distance(k.points(), row * D, k.centroids(), cBase + 2 * j * D, D);
                float b = ReferenceKernels.distance(k.points(), row * D, k.centroids(), cBase + (2 * j + 1) * D, D);
                assertEquals(Float.floatToIntBits(a), Float.floatToIntBits(b), "pair " + j + " of row " + row);
            }
            int id = ReferenceKernels.nearest(k.points(), row * D, k.centroids(), cBase, K, D);
            assertEquals(0, id % 2, "the nearest centroid of a tied pair is its lower (even) index");
            ties++;
        }
        assertEquals(122, ties);
    }

    @Test
    void blobsLeaveTheirEmptyClustersEmpty() {
        Fixtures.KMeansCase k = Fixtures.blobs(r, 2, 61, 64, 12, 4);
        int[] ids = new int[k.batch().rows()];
        new dev.qvg.api.reference.ReferenceBackend().assign(k.batch(), k.points(), k.centroids(), 12, ids, new int[2], null);
        boolean[] seen = new boolean[12];
        for (int id : ids) {
            seen[id] = true;
        }
        for (int c = 0; c < 12; c++) {
            assertEquals(c < 8, seen[c], "cluster " + c);
        }
    }

    @Test
    void halfwayBlocksHaveScaleOneAndOnlyHalves() {
        for (BlockQuantConfig c : new BlockQuantConfig[]{new BlockQuantConfig(2, 16, true, ScalePrecision.BF16),
                new BlockQuantConfig(4, 16, false, ScalePrecision.FP8_E4M3), new BlockQuantConfig(8, 64, true, ScalePrecision.BF16)}) {
            float[] x = Fixtures.Block.HALFWAY.make(r, 5, 64, c);
            PackedBlocks p = BlockCodec.quantize(x, 0, 5, 64, c);
            for (short s : p.scales()) {
                assertEquals(1f, c.scalePrecision().decode(s), "scale of a halfway block, " + c);
            }
            int halves = 0;
            for (float v : x) {
                halves += v != Math.rint(v) ? 1 : 0;
            }
            assertTrue(halves > x.length / 2, "most values are halves: " + halves);
        }
    }

    @Test
    void fp8SaturatingBlocksExceed448() {
        BlockQuantConfig c = new BlockQuantConfig(8, 16, true, ScalePrecision.FP8_E4M3);
        float[] x = Fixtures.Block.FP8_SATURATING.make(r, 4, 64, c);
        PackedBlocks p = BlockCodec.quantize(x, 0, 4, 64, c);
        int saturated = 0;
        for (short s : p.scales()) {
            saturated += c.scalePrecision().decode(s) == 448f ? 1 : 0;
        }
        assertEquals(p.scales().length, saturated, "every block's FP8 scale saturates at 448");
    }

    @Test
    void tinyValuesClampTheScaleAndSmallOnesUnderflowFp8() {
        BlockQuantConfig bf = new BlockQuantConfig(2, 16, true, ScalePrecision.BF16);
        PackedBlocks p = BlockCodec.quantize(Fixtures.Block.TINY.make(r, 2, 64, bf), 0, 2, 64, bf);
        for (short s : p.scales()) {
            assertEquals(ScalePrecision.BF16.round(BlockQuantConfig.MIN_SCALE), ScalePrecision.BF16.decode(s));
        }
        BlockQuantConfig fp8 = bf.withScalePrecision(ScalePrecision.FP8_E4M3).withBits(4);
        PackedBlocks q = BlockCodec.quantize(Fixtures.Block.SMALL.make(r, 64, 64, fp8), 0, 64, 64, fp8);
        int zero = 0, subnormal = 0;
        for (short s : q.scales()) {
            float v = fp8.scalePrecision().decode(s);
            zero += v == 0f ? 1 : 0;
            subnormal += v > 0f && v < 0x1p-6f ? 1 : 0;
        }
        assertTrue(zero > 0 && subnormal > 0, "SMALL reaches both FP8 underflow (" + zero + ") and subnormals (" + subnormal + ")");
    }

    @Test
    void generatorsArePureFunctionsOfTheirRandom() {
        BlockQuantConfig c = BlockQuantConfig.publishedInt2();
        for (Fixtures.Block kind : Fixtures.Block.values()) {
            float[] a = kind.make(new Random(3), 3, 128, c), b = kind.make(new Random(3), 3, 128, c);
            Checks.assertSameFloats(a, b, 128, kind.name());
        }
    }
}
