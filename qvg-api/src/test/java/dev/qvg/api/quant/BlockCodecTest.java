package dev.qvg.api.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.tensor.Bf16;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hand-computed cases for the reference block quantizer and its byte layout (spec section 6). */
class BlockCodecTest {

    private static float[] dequant(PackedBlocks p) {
        float[] out = new float[p.rows() * p.cols()];
        BlockCodec.dequantize(p, out, 0);
        return out;
    }

    @Test
    void int2SymmetricUsesThreeCodesAndPacksFourPerByte() {
        // absmax 1 -> scale 1; 0.25 -> 0, -1 -> -1, 0.5 -> 1 (tie away from zero), 0 -> 0
        BlockQuantConfig c = new BlockQuantConfig(2, 4, true, ScalePrecision.BF16);
        PackedBlocks p = BlockCodec.quantize(new float[] {0.25f, -1f, 0.5f, 0f}, 0, 1, 4, c);
        // offset codes +1: [1, 0, 2, 1] -> 1<<6 | 0<<4 | 2<<2 | 1
        assertArrayEquals(new byte[] {(byte) 73}, p.codes());
        assertArrayEquals(new short[] {(short) 0x3F80}, p.scales());
        assertArrayEquals(new float[] {0f, -1f, 1f, 0f}, dequant(p));
    }

    @Test
    void int4SymmetricPacksHighNibbleFirst() {
        BlockQuantConfig c = new BlockQuantConfig(4, 2, true, ScalePrecision.BF16);
        PackedBlocks p = BlockCodec.quantize(new float[] {3.5f, -7f}, 0, 1, 2, c);
        // scale 1; 3.5 -> 4, -7 -> -7; offset +7: [11, 0]
        assertArrayEquals(new byte[] {(byte) 0xB0}, p.codes());
        assertArrayEquals(new float[] {4f, -7f}, dequant(p));
    }

    @Test
    void int4AsymmetricStoresMinAsZero() {
        BlockQuantConfig c = new BlockQuantConfig(4, 2, false, ScalePrecision.BF16);
        PackedBlocks p = BlockCodec.quantize(new float[] {1f, 16f}, 0, 1, 2, c);
        assertArrayEquals(new byte[] {(byte) 0x0F}, p.codes());
        assertEquals(Bf16.fromFloat(1f), p.zeros()[0]);
        assertEquals(Bf16.fromFloat(1f), p.scales()[0]);
        assertArrayEquals(new float[] {1f, 16f}, dequant(p));
    }

    @Test
    void int8SymmetricStoresSignedBytes() {
        BlockQuantConfig c = new BlockQuantConfig(8, 2, true, ScalePrecision.BF16);
        PackedBlocks p = BlockCodec.quantize(new float[] {127f, -63.5f}, 0, 1, 2, c);
        assertArrayEquals(new byte[] {127, -64}, p.codes());
        assertEquals(-64, p.code(0, 1));
    }

    @Test
    void int3PacksDenselyMostSignificantFirst() {
        BlockQuantConfig c = new BlockQuantConfig(3, 8, true, ScalePrecision.BF16);
        PackedBlocks p = BlockCodec.quantize(new float[] {3, 2, 1, 0, -1, -2, -3, 0.5f}, 0, 1, 8, c);
        // offset +3: 6 5 4 3 2 1 0 4 -> 110 101 100 011 010 001 000 100
        assertArrayEquals(new byte[] {(byte) 0xD6, (byte) 0x34, (byte) 0x44}, p.codes());
        assertArrayEquals(new float[] {3, 2, 1, 0, -1, -2, -3, 1}, dequant(p));
    }

    @Test
    void fp8ScaleIsRoundedBeforeDividing() {
        BlockQuantConfig c = new BlockQuantConfig(2, 4, true, ScalePrecision.FP8_E4M3);
        PackedBlocks p = BlockCodec.quantize(new float[] {0.3f, -0.3f, 0.15f, 0.16f}, 0, 1, 4, c);
        // scale 0.3 -> fp8 0.3125 (code 0x2A); 0.15/0.3125 = 0.48 -> 0 but 0.16/0.3125 = 0.512 -> 1
        assertEquals((short) 0x2A, p.scales()[0]);
        assertArrayEquals(new float[] {0.3125f, -0.3125f, 0f, 0.3125f}, dequant(p));
    }

    @Test
    void fp8ScaleSaturatesAt448() {
        BlockQuantConfig c = new BlockQuantConfig(2, 2, true, ScalePrecision.FP8_E4M3);
        PackedBlocks p = BlockCodec.quantize(new float[] {1000f, -1000f}, 0, 1, 2, c);
        assertArrayEquals(new float[] {448f, -448f}, dequant(p));
    }

    @Test
    void zeroBlockUsesMinimumScale() {
        BlockQuantConfig c = new BlockQuantConfig(4, 4, true, ScalePrecision.BF16);
        PackedBlocks p = BlockCodec.quantize(new float[4], 0, 1, 4, c);
        assertEquals(Bf16.fromFloat(BlockQuantConfig.MIN_SCALE), p.scales()[0]);
        assertArrayEquals(new float[4], dequant(p));
    }

    @ParameterizedTest
    @CsvSource({"2,true,BF16", "2,false,BF16", "3,true,BF16", "3,false,FP8_E4M3", "4,true,FP8_E4M3",
            "4,false,BF16", "8,true,BF16", "8,false,FP8_E4M3"})
    void errorIsBoundedByHalfAStepPlusScaleRounding(int bits, boolean symmetric, ScalePrecision precision) {
        BlockQuantConfig c = new BlockQuantConfig(bits, 16, symmetric, precision);
        SplittableRandom r = new SplittableRandom(bits * 31L + (symmetric ? 1 : 0));
        int rows = 7, cols = 64;
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        PackedBlocks p = BlockCodec.quantize(x, 0, rows, cols, c);
        float[] y = dequant(p);
        for (int row = 0; row < rows; row++) {
            for (int b = 0; b < cols / 16; b++) {
                float scale = precision.decode(p.scales()[row * 4 + b]);
                float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
                for (int i = 0; i < 16; i++) {
                    lo = Math.min(lo, x[row * cols + b * 16 + i]);
                    hi = Math.max(hi, x[row * cols + b * 16 + i]);
                }
                // a rounded scale may stretch the grid: allow half a step plus the range times the relative
                // scale rounding error (2^-8 for bf16, 2^-4 for fp8)
                double rel = precision == ScalePrecision.BF16 ? 0x1p-8 : 0x1p-4;
                double bound = scale * 0.5 + (hi - lo + Math.abs(lo) + Math.abs(hi)) * rel + 1e-6;
                for (int i = 0; i < 16; i++) {
                    int k = row * cols + b * 16 + i;
                    assertTrue(Math.abs(x[k] - y[k]) <= bound,
                            "value " + x[k] + " -> " + y[k] + " exceeds " + bound + " at " + k);
                }
            }
        }
    }

    @Test
    void rowsAreIndependentAndPaddedToAByte() {
        // 3-bit rows of 8 codes take exactly 3 bytes; 2-bit rows of 4 take 1 byte
        BlockQuantConfig c = new BlockQuantConfig(3, 8, true, ScalePrecision.BF16);
        assertEquals(3, c.packedBytesPerRow(8));
        assertEquals(4, c.packedBytesPerRow(10));
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i - 8;
        }
        PackedBlocks both = BlockCodec.quantize(x, 0, 2, 8, c);
        PackedBlocks second = BlockCodec.quantize(x, 8, 1, 8, c);
        assertArrayEquals(second.codes(), java.util.Arrays.copyOfRange(both.codes(), 3, 6));
    }

    @Test
    void configRefusesUnsupportedBitsAndRaggedRows() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BlockQuantConfig(5, 64, true, ScalePrecision.BF16));
        assertTrue(e.getMessage().contains("bits"), e.getMessage());
        BlockQuantConfig c = BlockQuantConfig.publishedInt2();
        e = assertThrows(IllegalArgumentException.class, () -> BlockCodec.quantize(new float[100], 0, 1, 100, c));
        assertTrue(e.getMessage().contains("not a multiple of block size 64"), e.getMessage());
    }
}
