package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The specialised quantize/pack and unpack/dequantize loops against {@link BlockCodec} on many
 * random configurations and awkward values: exact half-way ties, clamped outliers, NaN and
 * infinities, FP8 scale underflow, rows whose packed length ends mid-byte.
 */
class BlockKernelsFuzzTest {

    private static final int[] BITS = {2, 3, 4, 8};

    @Test
    void randomConfigurationsAreBitExactWithBlockCodec() {
        long seed = 20261125L;
        Random r = new Random(seed);
        int cases = 0;
        for (int bits : BITS) {
            for (boolean sym : new boolean[] {true, false}) {
                for (ScalePrecision p : ScalePrecision.values()) {
                    for (int rep = 0; rep < 6; rep++) {
                        int block = rep == 0 ? 64 : 1 + r.nextInt(70);
                        int cols = block * (1 + r.nextInt(Math.max(1, 300 / block)));
                        int rows = 1 + r.nextInt(40);
                        BlockQuantConfig cfg = new BlockQuantConfig(bits, block, sym, p);
                        float[] x = data(r, rows, cols, cfg);
                        check(x, rows, cols, cfg, "seed " + seed + " case " + cases + " " + cfg + " [" + rows + ", " + cols + "]");
                        cases++;
                    }
                }
            }
        }
    }

    private static void check(float[] x, int rows, int cols, BlockQuantConfig cfg, String what) {
        PackedBlocks e = BlockCodec.quantize(x, 0, rows, cols, cfg);
        PackedBlocks a = PackedBlocks.allocate(rows, cols, cfg);
        BlockKernels.quantizeRows(x, a, 0, rows);
        assertArrayEquals(e.codes(), a.codes(), what + ": codes");
        assertArrayEquals(e.scales(), a.scales(), what + ": scales");
        assertArrayEquals(e.zeros(), a.zeros(), what + ": zeros");
        float[] de = new float[rows * cols], da = new float[rows * cols];
        BlockCodec.dequantize(e, de, 0);
        BlockKernels.dequantizeRows(e, da, 0, rows);
        assertArrayEquals(de, da, what + ": dequantized");
    }

    /** Each block drawn from one of several awkward distributions. */
    static float[] data(Random r, int rows, int cols, BlockQuantConfig cfg) {
        float[] x = new float[rows * cols];
        int block = cfg.blockSize();
        int qmax = cfg.qmax();
        for (int at = 0; at < x.length; at += block) {
            int kind = r.nextInt(8);
            for (int i = 0; i < block; i++) {
                float v;
                switch (kind) {
                    case 0 -> v = (float) r.nextGaussian();
                    case 1 -> v = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 3)); // heavy tails
                    case 2 -> v = (float) r.nextGaussian() * 1e-5f; // FP8 scale underflow
                    case 3 -> {
                        // Exact half-way ties: the block's range makes the scale exactly 1.
                        if (i == 0) {
                            v = qmax;
                        } else if (i == 1 && !cfg.symmetric()) {
                            v = 0f;
                        } else {
                            int k = cfg.symmetric() ? r.nextInt(2 * qmax) - qmax : r.nextInt(qmax);
                            v = k + 0.5f;
                        }
                    }
                    case 4 -> v = r.nextInt(5) == 0 ? Float.NaN : (float) r.nextGaussian();
                    case 5 -> v = r.nextInt(7) == 0 ? (r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY)
                            : (float) r.nextGaussian();
                    case 6 -> v = 2.75f; // constant block
                    default -> v = (float) r.nextGaussian() * 3e4f + 1e5f; // large offset
                }
                x[at + i] = v;
            }
        }
        return x;
    }
}
