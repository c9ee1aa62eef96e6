package dev.qvg.example;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.PackedBlocks;

/**
 * The block quantizer of spec section 6 written from the spec, without the reference codec, so
 * that the conformance kit's byte-layout checks test something: scales in float32 clamped to
 * {@link BlockQuantConfig#MIN_SCALE}; with FP8 storage the scale (and zero point) are rounded to
 * FP8 before dividing; codes round half away from zero; 2/3/4-bit codes offset to unsigned and
 * packed most significant bit first, each row starting on a fresh byte; 8-bit codes one per byte.
 */
final class ExampleBlockFormat {

    private ExampleBlockFormat() {
    }

    static PackedBlocks quantize(float[] x, int rows, int cols, BlockQuantConfig c) {
        int block = c.blockSize(), nb = cols / block, qmax = c.qmax(), bpr = c.packedBytesPerRow(cols);
        ScalePrecision p = c.scalePrecision();
        boolean fp8 = p == ScalePrecision.FP8_E4M3;
        byte[] codes = new byte[rows * bpr];
        short[] scales = new short[rows * nb];
        short[] zeros = c.symmetric() ? null : new short[rows * nb];
        int[] row = new int[cols];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                int from = r * cols + b * block;
                if (c.symmetric()) {
                    float absmax = 0f;
                    for (int i = 0; i < block; i++) {
                        absmax = Math.max(absmax, Math.abs(x[from + i]));
                    }
                    float scale = Math.max(absmax / qmax, BlockQuantConfig.MIN_SCALE);
                    scales[r * nb + b] = p.encode(scale);
                    float divisor = fp8 ? p.decode(scales[r * nb + b]) : scale;
                    for (int i = 0; i < block; i++) {
                        row[b * block + i] = divisor == 0f ? 0 : clamp(roundHalfAway(x[from + i] / divisor), -qmax, qmax);
                    }
                } else {
                    float lo = x[from], hi = x[from];
                    for (int i = 1; i < block; i++) {
                        lo = Math.min(lo, x[from + i]);
                        hi = Math.max(hi, x[from + i]);
                    }
                    float scale = Math.max((hi - lo) / qmax, BlockQuantConfig.MIN_SCALE);
                    scales[r * nb + b] = p.encode(scale);
                    zeros[r * nb + b] = p.encode(lo);
                    float divisor = fp8 ? p.decode(scales[r * nb + b]) : scale;
                    float zero = fp8 ? p.decode(zeros[r * nb + b]) : lo;
                    for (int i = 0; i < block; i++) {
                        row[b * block + i] = divisor == 0f ? 0 : clamp(roundHalfAway((x[from + i] - zero) / divisor), 0, qmax);
                    }
                }
            }
            writeRow(row, c, codes, r * bpr);
        }
        return new PackedBlocks(rows, cols, c, codes, scales, zeros);
    }

    /**
     * Half away from zero, exactly: {@code Math.round}-style {@code floor(a + 0.5)} is wrong for
     * 0.49999997f (the addition rounds up to 1.0 in float), so compare the fraction instead.
     */
    static float roundHalfAway(float v) {
        if (!(Math.abs(v) < 0x1p23f)) {
            return v; // already integral, or NaN
        }
        float a = Math.abs(v);
        float f = (float) Math.floor(a);
        return Math.copySign(a - f >= 0.5f ? f + 1f : f, v);
    }

    private static int clamp(float v, int lo, int hi) {
        return v < lo ? lo : v > hi ? hi : (int) v;
    }

    private static void writeRow(int[] codes, BlockQuantConfig c, byte[] out, int at) {
        int bits = c.bits();
        if (bits == 8) {
            for (int i = 0; i < codes.length; i++) {
                out[at + i] = (byte) codes[i]; // symmetric: the signed code; asymmetric: 0..255 as a byte
            }
            return;
        }
        int offset = c.symmetric() ? c.qmax() : 0;
        int bitPos = 0;
        for (int code : codes) {
            int u = code + offset;
            for (int k = bits - 1; k >= 0; k--, bitPos++) { // most significant bit first
                if (((u >>> k) & 1) != 0) {
                    out[at + (bitPos >>> 3)] |= (byte) (0x80 >>> (bitPos & 7));
                }
            }
        }
    }

    /** The signed code of column {@code col} of row {@code row}. */
    static int readCode(PackedBlocks p, int row, int col) {
        BlockQuantConfig c = p.config();
        int bits = c.bits(), at = row * p.bytesPerRow();
        if (bits == 8) {
            byte b = p.codes()[at + col];
            return c.symmetric() ? b : (b & 0xFF);
        }
        int u = 0;
        for (int k = 0, bitPos = col * bits; k < bits; k++, bitPos++) {
            u = (u << 1) | ((p.codes()[at + (bitPos >>> 3)] >>> (7 - (bitPos & 7))) & 1);
        }
        return c.symmetric() ? u - c.qmax() : u;
    }

    /** Dequantizes row {@code row} into {@code out[at..]}: {@code code * scale}, then {@code + zero}, no FMA. */
    static void dequantRow(PackedBlocks p, int row, float[] out, int at) {
        BlockQuantConfig c = p.config();
        int cols = p.cols(), block = c.blockSize(), nb = cols / block;
        for (int col = 0; col < cols; col++) {
            int s = row * nb + col / block;
            float v = readCode(p, row, col) * c.scalePrecision().decode(p.scales()[s]);
            if (!c.symmetric()) {
                v = v + c.scalePrecision().decode(p.zeros()[s]);
            }
            out[at + col] = v;
        }
    }
}
