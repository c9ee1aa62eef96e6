package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SIMD INT2 kernels against {@link BlockCodec}, byte for byte and float for float. Skipped,
 * with the reason, where {@link Simd} is off. The build runs this class twice: at the CPU's
 * widest vectors and again limited to 256 bits ({@code -XX:MaxVectorSize=32}), so both lane
 * counts the kernels support are checked on a machine that has AVX-512.
 */
class VectorBlockKernelsTest {

    @BeforeAll
    static void simdOn() {
        System.out.println("[qvg-cpu] SIMD block kernels " + Simd.status());
        assumeTrue(Simd.enabled(), "SIMD kernels " + Simd.status());
    }

    @Test
    void randomInt2AndInt4ConfigurationsAreBitExactWithBlockCodec() {
        long seed = 20261126L;
        Random r = new Random(seed);
        int cases = 0, vectorQuantized = 0, vectorDequantized = 0;
        for (int bits : new int[] {2, 4}) {
        for (boolean sym : new boolean[] {true, false}) {
            for (ScalePrecision p : ScalePrecision.values()) {
                for (int block : new int[] {16, 32, 64, 128, 192, 256}) {
                    for (int rep = 0; rep < 4; rep++) {
                        int cols = block * (1 + r.nextInt(Math.max(1, 512 / block)));
                        int rows = 1 + r.nextInt(24);
                        BlockQuantConfig cfg = new BlockQuantConfig(bits, block, sym, p);
                        float[] x = rep % 2 == 0 ? BlockKernelsFuzzTest.data(r, rows, cols, cfg) : boundaries(r, rows, cols, cfg);
                        String what = "seed " + seed + " case " + cases + " " + cfg + " [" + rows + ", " + cols + "]";
                        check(x, rows, cols, cfg, r, what);
                        cases++;
                        vectorQuantized += VectorBlockKernels.quantizes(cfg) ? 1 : 0;
                        vectorDequantized += bits == 4 && VectorBlockKernels.dequantizes(cfg) ? 1 : 0;
                    }
                }
            }
        }
        }
        assertTrue(vectorQuantized >= 32, "too few cases took the vector quantizer: " + vectorQuantized);
        assertTrue(vectorDequantized >= 16, "too few INT4 cases took the vector dequantizer: " + vectorDequantized);
    }

    @Test
    void blocksAtTheDecisionBoundariesRoundAsTheReference() {
        Random r = new Random(7L);
        for (int bits : new int[] {2, 4}) {
        for (boolean sym : new boolean[] {true, false}) {
            for (ScalePrecision p : ScalePrecision.values()) {
                BlockQuantConfig cfg = new BlockQuantConfig(bits, 64, sym, p);
                for (int rep = 0; rep < 50; rep++) {
                    int rows = 1 + r.nextInt(8);
                    check(boundaries(r, rows, 256, cfg), rows, 256, cfg, r, cfg + " rep " + rep);
                }
            }
        }
        }
    }

    @Test
    void signedZerosSubnormalsAndNonFiniteBlocksMatchTheReference() {
        Random r = new Random(5L);
        float[] specials = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-39f, -1e-39f,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -1f};
        for (int bits : new int[] {2, 4}) {
        for (boolean sym : new boolean[] {true, false}) {
            for (ScalePrecision p : ScalePrecision.values()) {
                BlockQuantConfig cfg = new BlockQuantConfig(bits, 64, sym, p);
                for (int rep = 0; rep < 200; rep++) {
                    float[] x = new float[2 * 128];
                    // Mostly one or two specials per block, so each decides the block's min, max or scale.
                    int pool = 2 + r.nextInt(specials.length - 1);
                    for (int i = 0; i < x.length; i++) {
                        x[i] = r.nextInt(4) == 0 ? specials[r.nextInt(pool)] : (r.nextBoolean() ? 0f : -0f);
                    }
                    check(x, 2, 128, cfg, r, cfg + " rep " + rep);
                }
            }
        }
        }
    }

    @Test
    void aFewNonFiniteBlocksAmongManyOrdinaryOnesMatchTheReference() {
        // Enough blocks that the quantizer's per-vector-of-blocks passes run, with a special value
        // in a few blocks only: some groups of blocks are clean, some hold one bad block.
        Random r = new Random(6L);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, 0f};
        for (int bits : new int[] {2, 4}) {
        for (boolean sym : new boolean[] {true, false}) {
            for (ScalePrecision p : ScalePrecision.values()) {
                BlockQuantConfig cfg = new BlockQuantConfig(bits, 64, sym, p);
                for (int rep = 0; rep < 20; rep++) {
                    int rows = 20 + r.nextInt(60), cols = 64 * (1 + r.nextInt(4));
                    float[] x = BlockKernelsFuzzTest.data(r, rows, cols, cfg);
                    for (int hit = r.nextInt(4); hit > 0; hit--) {
                        x[r.nextInt(x.length)] = specials[r.nextInt(specials.length)];
                    }
                    if (rep % 5 == 0) {
                        int blockAt = 64 * r.nextInt(x.length / 64);
                        Arrays.fill(x, blockAt, blockAt + 64, 0f); // an all-zero block
                    }
                    check(x, rows, cols, cfg, r, cfg + " rep " + rep);
                }
            }
        }
        }
    }

    @Test
    void fusedDecodeEqualsDequantizeThenAddingEachStageInOrder() {
        Random r = new Random(9L);
        for (int bits : new int[] {2, 4}) {
        for (boolean sym : new boolean[] {true, false}) {
            for (ScalePrecision p : ScalePrecision.values()) {
                for (int stages = 0; stages <= 3; stages++) {
                    int slices = 1 + r.nextInt(3), tokens = 1 + r.nextInt(40), dim = 128;
                    int rows = slices * tokens;
                    BlockQuantConfig cfg = new BlockQuantConfig(bits, 64, sym, p);
                    PackedBlocks packed = BlockCodec.quantize(BlockKernelsFuzzTest.data(r, rows, dim, cfg), 0, rows, dim, cfg);
                    int[][] ids = new int[stages][rows];
                    float[][] centroids = new float[stages][];
                    int[] clusters = new int[stages];
                    float[] expected = new float[rows * dim];
                    BlockCodec.dequantize(packed, expected, 0);
                    for (int s = 0; s < stages; s++) {
                        clusters[s] = 1 + r.nextInt(9);
                        centroids[s] = new float[slices * clusters[s] * dim];
                        for (int i = 0; i < centroids[s].length; i++) {
                            centroids[s][i] = (float) r.nextGaussian() * (s + 1);
                        }
                        for (int row = 0; row < rows; row++) {
                            ids[s][row] = r.nextInt(clusters[s]);
                            int c = ((row / tokens) * clusters[s] + ids[s][row]) * dim;
                            for (int d = 0; d < dim; d++) {
                                expected[row * dim + d] += centroids[s][c + d];
                            }
                        }
                    }
                    float[] actual = new float[rows * dim];
                    int split = r.nextInt(rows + 1);
                    VectorBlockKernels.decodeRows(packed, actual, 0, split, tokens, ids, centroids, clusters, 0, tokens * dim);
                    VectorBlockKernels.decodeRows(packed, actual, split, rows, tokens, ids, centroids, clusters, 0, tokens * dim);
                    assertArrayEquals(expected, actual, cfg + " with " + stages + " stages, " + slices + " slices of " + tokens);
                }
            }
        }
        }
    }

    private static void check(float[] x, int rows, int cols, BlockQuantConfig cfg, Random r, String what) {
        PackedBlocks expected = BlockCodec.quantize(x, 0, rows, cols, cfg);
        PackedBlocks actual = PackedBlocks.allocate(rows, cols, cfg);
        if (VectorBlockKernels.quantizes(cfg)) {
            // Two row ranges, as the backend's tasks call it.
            int split = r.nextInt(rows + 1);
            VectorBlockKernels.quantizeRows(x, actual, 0, split);
            VectorBlockKernels.quantizeRows(x, actual, split, rows);
            assertArrayEquals(expected.codes(), actual.codes(), what + ": codes");
            assertArrayEquals(expected.scales(), actual.scales(), what + ": scales");
            assertArrayEquals(expected.zeros(), actual.zeros(), what + ": zeros");
        }
        if (VectorBlockKernels.dequantizes(cfg)) {
            float[] de = new float[rows * cols], da = new float[rows * cols];
            BlockCodec.dequantize(expected, de, 0);
            VectorBlockKernels.dequantizeRows(expected, da, 0, rows);
            assertArrayEquals(de, da, what + ": dequantized");
        }
    }

    /**
     * Blocks whose scale is known in advance (symmetric: the first value is the abs-max;
     * asymmetric: the first value is the max and the second 0, the min), the rest placed within
     * a few ulps of {@code scale * (k + 0.5)}, where rounding the quotient changes the code.
     */
    private static float[] boundaries(Random r, int rows, int cols, BlockQuantConfig cfg) {
        float[] x = new float[rows * cols];
        int block = cfg.blockSize();
        int qmax = cfg.qmax();
        ScalePrecision p = cfg.scalePrecision();
        for (int at = 0; at < x.length; at += block) {
            float top = (float) Math.exp(r.nextGaussian() * 6);
            float scale = Math.max(top / qmax, BlockQuantConfig.MIN_SCALE);
            float used = p == ScalePrecision.FP8_E4M3 ? p.round(scale) : scale;
            x[at] = top;
            int from = 1;
            if (!cfg.symmetric()) {
                x[at + 1] = 0f;
                from = 2;
            }
            for (int i = from; i < block; i++) {
                float edge = used * (r.nextInt(qmax) + 0.5f);
                float v = edge;
                for (int u = r.nextInt(7) - 3; u != 0; u += u > 0 ? -1 : 1) {
                    v = u > 0 ? Math.nextUp(v) : Math.nextDown(v);
                }
                v = Math.min(v, top);
                x[at + i] = cfg.symmetric() && r.nextBoolean() ? -v : v;
            }
        }
        return x;
    }
}
