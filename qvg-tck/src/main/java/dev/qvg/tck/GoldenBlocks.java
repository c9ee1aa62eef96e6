package dev.qvg.tck;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import java.util.List;

/**
 * Byte arrays computed by hand from spec section 6, not by running any code, so that the kit
 * does not merely compare the reference with itself: if {@code BlockCodec} and a backend shared
 * a bug, these would still catch it. The derivation of each case is in its comment.
 *
 * @param codes  the packed code bytes, as unsigned values for readability
 * @param scales stored scale bit patterns
 * @param zeros  stored zero-point bit patterns, {@code null} when symmetric
 */
public record GoldenBlocks(String name, BlockQuantConfig config, int rows, int cols, float[] x, int[] codes,
                           int[] scales, int[] zeros) {

    private static final ScalePrecision BF16 = ScalePrecision.BF16;
    private static final ScalePrecision FP8 = ScalePrecision.FP8_E4M3;
    /** bf16 bit pattern of 1.0 (0x3F80) and of 2.0 (0x4000). */
    private static final int ONE = 0x3F80, TWO = 0x4000;

    @Override
    public String toString() {
        return name;
    }

    public static List<GoldenBlocks> all() {
        return List.of(
                // INT2 sym: absmax 1, qmax 1, scale 1. Codes 1, -1, 0, round(0.4)=0; +1 offset: 2 0 1 1
                // -> 10 00 01 01 = 0x85.
                new GoldenBlocks("int2-sym-bf16-basic", cfg(2, 4, true, BF16), 1, 4,
                        new float[]{1f, -1f, 0f, 0.4f}, new int[]{0x85}, new int[]{ONE}, null),
                // INT2 sym, halves: absmax 2 -> scale 2; 2/2=1, 1/2=0.5 -> 1 (away from zero),
                // -0.5 -> -1, -1; +1: 2 2 0 0 -> 10 10 00 00 = 0xA0 (banker's rounding would give 0x94).
                new GoldenBlocks("int2-sym-bf16-half-away", cfg(2, 4, true, BF16), 1, 4,
                        new float[]{2f, 1f, -1f, -2f}, new int[]{0xA0}, new int[]{TWO}, null),
                // INT2, a row of 3 codes pads the byte with zero bits: 1 0 -1 -> 2 1 0 -> 10 01 00 00 = 0x90.
                new GoldenBlocks("int2-sym-bf16-padded-row", cfg(2, 3, true, BF16), 1, 3,
                        new float[]{1f, 0f, -1f}, new int[]{0x90}, new int[]{ONE}, null),
                // INT2, two rows of 8 (two blocks of 4 each): each row packs on its own, MSB first.
                // Row 0 block 0 as "basic" (0x85, scale 1); block 1 {0,0,0,-3}: scale 3 (bf16 0x4040),
                // codes 0 0 0 -1 -> 1 1 1 0 -> 01 01 01 00 = 0x54.
                // Row 1 block 0 {-1,1,1,-1}: 0 2 2 0 -> 00 10 10 00 = 0x28; block 1 {0.5,...}: scale 0.5
                // (0x3F00), codes 1 1 -1 0 (0.1/0.5=0.2 -> 0) -> 2 2 0 1 -> 10 10 00 01 = 0xA1.
                new GoldenBlocks("int2-sym-bf16-two-rows", cfg(2, 4, true, BF16), 2, 8,
                        new float[]{1f, -1f, 0f, 0.4f, 0f, 0f, 0f, -3f, -1f, 1f, 1f, -1f, 0.5f, 0.5f, -0.5f, 0.1f},
                        new int[]{0x85, 0x54, 0x28, 0xA1}, new int[]{ONE, 0x4040, ONE, 0x3F00}, null),
                // INT4 sym: qmax 7, absmax 7 -> scale 1; codes 7 -7 4 (3.5 away) -1 (-0.5 away) 0 1 2 -3;
                // +7: 14 0 11 6 7 8 9 4 -> 0xE0 0xB6 0x78 0x94.
                new GoldenBlocks("int4-sym-bf16", cfg(4, 8, true, BF16), 1, 8,
                        new float[]{7f, -7f, 3.5f, -0.5f, 0f, 1f, 2f, -3f},
                        new int[]{0xE0, 0xB6, 0x78, 0x94}, new int[]{ONE}, null),
                // INT4 asym: qmax 15, min 0, max 15 -> scale 1, zero 0; codes 0 15 8 (7.5 away) 1 -> 0x0F 0x81.
                new GoldenBlocks("int4-asym-bf16", cfg(4, 4, false, BF16), 1, 4,
                        new float[]{0f, 15f, 7.5f, 1f}, new int[]{0x0F, 0x81}, new int[]{ONE}, new int[]{0x0000}),
                // INT4 asym, negative zero point: min -2 (bf16 0xC000), max 13 -> scale 1;
                // codes 0 15 2 (0 - -2) 10 (7.5+2=9.5 -> 10) -> 0x0F 0x2A.
                new GoldenBlocks("int4-asym-bf16-negative-zero", cfg(4, 4, false, BF16), 1, 4,
                        new float[]{-2f, 13f, 0f, 7.5f}, new int[]{0x0F, 0x2A}, new int[]{ONE}, new int[]{0xC000}),
                // INT3 sym: qmax 3, scale 1; codes 3 -3 0 1 2 -1 -2 2 (1.5 away); +3: 6 0 3 4 5 2 1 5
                // -> bits 110 000 011 100 101 010 001 101 -> 11000001 11001010 10001101 = 0xC1 0xCA 0x8D.
                new GoldenBlocks("int3-sym-bf16-dense", cfg(3, 8, true, BF16), 1, 8,
                        new float[]{3f, -3f, 0f, 1f, 2f, -1f, -2f, 1.5f},
                        new int[]{0xC1, 0xCA, 0x8D}, new int[]{ONE}, null),
                // INT3 asym, 3 codes (9 bits, padded to 2 bytes): qmax 7, min 0 max 7 -> scale 1;
                // codes 7 0 4 (3.5 away) -> 111 000 100 -> 11100010 0(0000000) = 0xE2 0x00.
                new GoldenBlocks("int3-asym-bf16-padded", cfg(3, 3, false, BF16), 1, 3,
                        new float[]{7f, 0f, 3.5f}, new int[]{0xE2, 0x00}, new int[]{ONE}, new int[]{0x0000}),
                // INT8 sym: qmax 127, scale 1; codes 127 -127 1 (0.5 away) -64 (-63.5 away), stored as
                // signed bytes 0x7F 0x81 0x01 0xC0.
                new GoldenBlocks("int8-sym-bf16", cfg(8, 4, true, BF16), 1, 4,
                        new float[]{127f, -127f, 0.5f, -63.5f}, new int[]{0x7F, 0x81, 0x01, 0xC0}, new int[]{ONE}, null),
                // INT8 asym: qmax 255, min 0 max 255 -> scale 1; codes 0 255 128 (127.5 away) 1 -> 00 FF 80 01.
                new GoldenBlocks("int8-asym-bf16", cfg(8, 4, false, BF16), 1, 4,
                        new float[]{0f, 255f, 127.5f, 1f}, new int[]{0x00, 0xFF, 0x80, 0x01}, new int[]{ONE},
                        new int[]{0x0000}),
                // FP8 rounding order: absmax 0.9 -> scale 0.9 -> FP8 0.875 (1.75 * 2^-1: exponent field 6,
                // mantissa 6 -> 0 0110 110 = 0x36), and values are divided by 0.875, not 0.9:
                // 0.9/0.875 = 1.03 -> 1; 0.43/0.875 = 0.49 -> 0; -0.44/0.875 = -0.503 -> -1; 0 -> 0;
                // +1: 2 1 0 1 -> 10 01 00 01 = 0x91 (dividing by 0.9 would give 0x95).
                new GoldenBlocks("int2-sym-fp8-round-first", cfg(2, 4, true, FP8), 1, 4,
                        new float[]{0.9f, 0.43f, -0.44f, 0f}, new int[]{0x91}, new int[]{0x36}, null),
                // FP8 saturation: absmax 1000 -> scale 1000 > 448 -> stored 448 (0x7E); codes
                // 1000/448 = 2.2 -> clamp 1, -1, 300/448 = 0.67 -> 1, -100/448 = -0.22 -> 0;
                // +1: 2 0 2 1 -> 10 00 10 01 = 0x89.
                new GoldenBlocks("int2-sym-fp8-saturated", cfg(2, 4, true, FP8), 1, 4,
                        new float[]{1000f, -1000f, 300f, -100f}, new int[]{0x89}, new int[]{0x7E}, null),
                // FP8 underflow: absmax 1e-4 -> scale 1e-4, below half the smallest FP8 subnormal
                // (2^-10), so it stores 0 and every code is the zero code: +1 -> 01 01 01 01 = 0x55.
                new GoldenBlocks("int2-sym-fp8-underflow", cfg(2, 4, true, FP8), 1, 4,
                        new float[]{1e-4f, -1e-4f, 5e-5f, 0f}, new int[]{0x55}, new int[]{0x00}, null),
                // INT4 asym FP8: min -600 (zero saturates to -448, 0xFE), max 150 -> scale 750/15 = 50
                // -> FP8 48 (a tie between 48 and 52, to the even mantissa; 1.5 * 2^5: exponent field 12,
                // mantissa 4 -> 0 1100 100 = 0x64).
                // codes (x + 448) / 48: -600 -> -3.2 -> clamp 0; 150 -> 12.46 -> 12; 0 -> 9.33 -> 9;
                // -424 -> 0.5 -> 1 (away) -> bytes 0x0C 0x91.
                new GoldenBlocks("int4-asym-fp8-saturated-zero", cfg(4, 4, false, FP8), 1, 4,
                        new float[]{-600f, 150f, 0f, -424f}, new int[]{0x0C, 0x91}, new int[]{0x64}, new int[]{0xFE}),
                // All-zero block: scale clamps to MIN_SCALE 1e-10 (bf16 0x2EDC: 1e-10 = 1.7180 * 2^-34,
                // exponent 93 -> 0 01011101 1011100 = 0x2EDC); codes 0 -> +1 -> 0x55.
                new GoldenBlocks("int2-sym-bf16-zeros-min-scale", cfg(2, 4, true, BF16), 1, 4,
                        new float[]{0f, 0f, -0f, 0f}, new int[]{0x55}, new int[]{0x2EDC}, null));
    }

    private static BlockQuantConfig cfg(int bits, int block, boolean sym, ScalePrecision p) {
        return new BlockQuantConfig(bits, block, sym, p);
    }
}
