package dev.qvg.tck;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code subtractCentroids}, {@code accumulateCentroids} and the fused {@code decode}: all bit
 * for bit. Subtraction and accumulation are one float32 operation per value; decode is the
 * block dequantization followed by the stage centroids added in stage order, exactly as
 * {@link ReferenceDecoder} reconstructs a {@link QuantizedKv} (a fused multiply-add, or adding the
 * stages in another order, changes the bits and fails).
 */
public abstract class BaseCentroidOpsTestCase extends BackendKitTestCase {

    @ParameterizedTest(name = "D={0}")
    @ValueSource(ints = {64, 128, 256})
    void subtractCentroidsIsExact(int dim) {
        Random r = random();
        for (int clusters : new int[]{1, 16, 256}) {
            Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 3, 37, dim, clusters, 3f);
            int[] ids = randomIds(r, k.batch().rows(), clusters);
            float[] want = k.points().clone(), got = k.points().clone();
            float[] cents = k.centroids().clone();
            int[] idsBefore = ids.clone();
            reference().subtractCentroids(k.batch(), want, ids, k.centroids(), clusters);
            backend().subtractCentroids(k.batch(), got, ids, k.centroids(), clusters);
            Checks.assertSameFloats(want, got, dim, "subtractCentroids K=" + clusters);
            Checks.assertSameFloats(cents, k.centroids(), dim, "subtractCentroids modified centroids");
            Checks.assertSameInts(idsBefore, ids, 37, "subtractCentroids modified ids");
        }
    }

    @ParameterizedTest(name = "D={0}")
    @ValueSource(ints = {64, 128, 256})
    void accumulateCentroidsIsExact(int dim) {
        Random r = random();
        for (int clusters : new int[]{1, 16, 256}) {
            Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 2, 61, dim, clusters, 3f);
            int[] ids = randomIds(r, k.batch().rows(), clusters);
            float[] want = k.points().clone(), got = k.points().clone();
            reference().accumulateCentroids(k.batch(), want, ids, k.centroids(), clusters);
            backend().accumulateCentroids(k.batch(), got, ids, k.centroids(), clusters);
            Checks.assertSameFloats(want, got, dim, "accumulateCentroids K=" + clusters);
        }
    }

    @Test
    void subtractThenAccumulateAtExtremeMagnitudes() {
        Random r = random();
        for (float mag : new float[]{1e-30f, 1e30f}) {
            Fixtures.KMeansCase k = Fixtures.randomKMeans(r, 2, 7, 128, 4, mag);
            int[] ids = randomIds(r, k.batch().rows(), 4);
            float[] want = k.points().clone(), got = k.points().clone();
            reference().subtractCentroids(k.batch(), want, ids, k.centroids(), 4);
            backend().subtractCentroids(k.batch(), got, ids, k.centroids(), 4);
            Checks.assertSameFloats(want, got, 128, "subtractCentroids magnitude " + mag);
            reference().accumulateCentroids(k.batch(), want, ids, k.centroids(), 4);
            backend().accumulateCentroids(k.batch(), got, ids, k.centroids(), 4);
            Checks.assertSameFloats(want, got, 128, "accumulateCentroids magnitude " + mag);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.qvg.tck.BaseBlockQuantTestCase#allConfigs")
    void decodeEqualsReferenceDecoder(BlockQuantConfig c) {
        assumeTrue(c.scalePrecision() != ScalePrecision.FP8_E4M3 || spec().supportsFp8Scales(),
                "backend declares no FP8 scale support (supportsFp8Scales() is false)");
        assumeTrue(c.symmetric() || spec().supportsAsymmetric(), "backend declares no asymmetric support");
        assumeTrue(c.bits() != 3 || spec().supportsInt3(), "backend declares no 3-bit support");
        Random r = random();
        for (int stages = 0; stages <= 3; stages++) {
            int dim = Fixtures.HEAD_DIMS[stages % 3];
            checkDecode(r, c.withBlockSize(stages % 2 == 0 ? 16 : 64), new KvShape(1, 2, 37, dim), stages);
        }
    }

    @Test
    void decodePublishedInt2OnOddTokenCounts() {
        Random r = random();
        for (int tokens : Fixtures.ODD_TOKEN_COUNTS) {
            checkDecode(r, BlockQuantConfig.publishedInt2(), new KvShape(2, 2, tokens, 128), 1);
        }
    }

    @Test
    void decodeIntoWritesEachSliceAtItsPlaceAndNothingElse() {
        Random r = random();
        List<BlockQuantConfig> configs = new ArrayList<>(List.of(BlockQuantConfig.publishedInt2(),
                BlockQuantConfig.publishedInt2().withBits(4)));
        if (spec().supportsInt3()) {
            configs.add(BlockQuantConfig.publishedInt2().withBits(3).withBlockSize(16));
        }
        for (BlockQuantConfig c : configs) {
            KvShape shape = new KvShape(1, 3, 29, 128);
            SliceBatch b = shape.sliceBatch();
            int D = shape.headDim(), perSlice = b.tokens() * D;
            PackedBlocks blocks = BlockCodec.quantize(Fixtures.Block.GAUSSIAN.make(r, b.rows(), D, c), 0, b.rows(), D, c);
            float[] cents = new float[b.slices() * 5 * D];
            Fixtures.fillLogUniform(r, cents, -2, 2);
            List<ClusterStage> st = List.of(ClusterStage.ofFloatCentroids(b.slices(), b.tokens(), D, 5, cents,
                    randomIds(r, b.rows(), 5), new int[b.slices()]));
            QuantizedKv q = new QuantizedKv(shape, KvRole.KEY, "tck", Orientation.TOKEN_MAJOR, shape.tokens(), blocks, st,
                    new short[0], Map.of());
            float[] want = ReferenceDecoder.decode(q).data();
            int offset = 7 * D + 3, stride = perSlice + 11 * D;
            float[] big = new float[offset + 2 * stride + perSlice + 5];
            Arrays.fill(big, Float.NaN);
            backend().decodeInto(b, blocks, st, big, offset, stride);
            for (int i = 0; i < b.slices(); i++) {
                Checks.assertSameFloats(Arrays.copyOfRange(want, i * perSlice, (i + 1) * perSlice),
                        Arrays.copyOfRange(big, offset + i * stride, offset + i * stride + perSlice), D,
                        "decodeInto slice " + i + " " + BaseBlockQuantTestCase.label(c));
            }
            for (int k = 0; k < big.length; k++) {
                int rel = k - offset;
                boolean inSlice = rel >= 0 && rel % stride < perSlice && rel / stride < b.slices();
                if (!inSlice && !Float.isNaN(big[k])) {
                    org.junit.jupiter.api.Assertions.fail("decodeInto wrote outside the slices, at " + k);
                }
            }
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> backend().decodeInto(b, blocks, st, big, -1, stride), "negative offset");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> backend().decodeInto(b, blocks, st, big, 0, perSlice - 1), "overlapping slices");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> backend().decodeInto(b, blocks, st, new float[offset + 2 * stride + perSlice - 1], offset, stride),
                    "too short");
        }
    }

    private void checkDecode(Random r, BlockQuantConfig c, KvShape shape, int stages) {
        SliceBatch b = shape.sliceBatch();
        int D = shape.headDim();
        float[] residual = Fixtures.Block.GAUSSIAN.make(r, b.rows(), D, c);
        PackedBlocks blocks = BlockCodec.quantize(residual, 0, b.rows(), D, c);
        List<ClusterStage> st = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            int K = 1 + r.nextInt(40);
            float[] cents = new float[b.slices() * K * D];
            // Magnitudes spread over eight decades: sums then need more than float32's 24 bits, so
            // adding the stages in another order (or fusing differently) changes the bits.
            Fixtures.fillLogUniform(r, cents, -4, 4);
            st.add(ClusterStage.ofFloatCentroids(b.slices(), b.tokens(), D, K, cents, randomIds(r, b.rows(), K),
                    new int[b.slices()]));
        }
        QuantizedKv q = new QuantizedKv(shape, KvRole.KEY, "tck", Orientation.TOKEN_MAJOR, shape.tokens(), blocks, st,
                new short[0], Map.of());
        float[] want = ReferenceDecoder.decode(q).data();
        float[] got = new float[b.numel()];
        Arrays.fill(got, Float.NaN); // decode must write every value
        byte[] codes = blocks.codes().clone();
        backend().decode(b, blocks, st, got);
        org.junit.jupiter.api.Assertions.assertArrayEquals(codes, blocks.codes(), "decode modified the codes");
        Checks.assertSameFloats(want, got, D, "decode " + BaseBlockQuantTestCase.label(c) + " with " + stages
                + " stage(s) " + shape);
    }

    static int[] randomIds(Random r, int rows, int clusters) {
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = r.nextInt(clusters);
        }
        return ids;
    }
}
