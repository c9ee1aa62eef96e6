package dev.qvg.cpu;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.PackedBlocks;

/**
 * Row-range block quantize/pack and unpack/dequantize, bit-exact with
 * {@link dev.qvg.api.quant.BlockCodec} but written for speed:
 * <ul>
 *   <li>Scales and zero points are computed with the very same float operations.</li>
 *   <li>A code is {@code clamp(roundHalfAwayFromZero(q))} with the reference's float division
 *       {@code q = x / scale} (never a reciprocal multiply); here the rounding is
 *       {@code (int) (|q| + 0.5)} in double, which is exact for every float {@code |q| < 2^23}
 *       (the sum is exact in double and truncation is floor for non-negative values); larger
 *       values saturate and are clamped like the reference's, and NaN gives 0 as the reference's
 *       {@code (int) NaN} does.</li>
 *   <li>For INT2 with a finite scale the code is a count of comparisons instead:
 *       {@code clamp(roundHalfAwayFromZero(q), 0, qmax)} equals the number of
 *       {@code k < qmax} with {@code q >= k + 0.5} (and, symmetric, minus those with
 *       {@code q <= -(k + 0.5)}); the half-way points are exact floats, and each comparison is
 *       the sign bit of a subtraction (no branch). Measured about 1.5x faster than rounding.
 *       Blocks holding NaN or infinities (non-finite scale) take the rounding path.</li>
 *   <li>Codes are packed straight into bytes (2 bits: four per byte, 4 bits: two per byte,
 *       most significant first) instead of through a bit accumulator.</li>
 *   <li>Dequantization reads each block's at most 16 possible values from a table built with the
 *       reference's own {@code code * scale (+ zero)}, so every output equals the reference's.</li>
 * </ul>
 */
final class BlockKernels {

    private BlockKernels() {
    }

    static void quantizeRows(float[] x, PackedBlocks out, int from, int to) {
        BlockQuantConfig c = out.config();
        int blocks = out.blocksPerRow();
        boolean int2Bytes = int2Bytes(c);
        int[] codes = new int[out.cols()];
        for (int r = from; r < to; r++) {
            for (int b = 0; b < blocks; b++) {
                quantizeBlock(x, out, r, b, codes, int2Bytes);
            }
            if (!int2Bytes) {
                pack(codes, c.bits(), out.codes(), r * out.bytesPerRow());
            }
        }
    }

    /** INT2 with blocks of whole bytes: every block writes its own bytes, no row packing pass. */
    static boolean int2Bytes(BlockQuantConfig c) {
        return c.bits() == 2 && c.blockSize() % 4 == 0;
    }

    /**
     * Block {@code b} of row {@code r}: its scale (and zero point) stored, and its codes either
     * packed straight into {@code out} ({@code int2Bytes}) or left in {@code codes} at the block's
     * columns for the row's packing pass. {@code codes} holds at least a row.
     */
    static void quantizeBlock(float[] x, PackedBlocks out, int r, int b, int[] codes, boolean int2Bytes) {
        BlockQuantConfig c = out.config();
        int block = c.blockSize();
        int blocks = out.blocksPerRow();
        int qmax = c.qmax();
        int lo = c.symmetric() ? -qmax : 0;
        // Packed 2/3/4-bit codes are offset to unsigned; 8-bit symmetric codes are stored signed.
        int offset = c.symmetric() && c.bits() != 8 ? qmax : 0;
        ScalePrecision p = c.scalePrecision();
        boolean fp8 = p == ScalePrecision.FP8_E4M3;
        byte[] dst = out.codes();
        int at = r * out.cols() + b * block;
        int si = r * blocks + b;
        int cAt = b * block;
        int byteAt = r * out.bytesPerRow() + cAt / 4;
        if (c.symmetric()) {
            float absmax = 0f;
            for (int i = 0; i < block; i++) {
                absmax = Math.max(absmax, Math.abs(x[at + i]));
            }
            float scale = Math.max(absmax / qmax, BlockQuantConfig.MIN_SCALE);
            float used = fp8 ? p.round(scale) : scale;
            out.scales()[si] = p.encode(scale);
            if (used == 0f) {
                java.util.Arrays.fill(codes, cAt, cAt + block, offset);
            } else if (qmax == 1 && Float.isFinite(used) && int2Bytes) {
                // INT2 symmetric: offset codes 0, 1, 2 from two exact comparisons with
                // +-0.5, four per byte.
                for (int i = 0; i < block; i += 4) {
                    float q0 = x[at + i] / used, q1 = x[at + i + 1] / used;
                    float q2 = x[at + i + 2] / used, q3 = x[at + i + 3] / used;
                    int c0 = 1 + atLeast(q0, 0.5f) - atLeast(-q0, 0.5f);
                    int c1 = 1 + atLeast(q1, 0.5f) - atLeast(-q1, 0.5f);
                    int c2 = 1 + atLeast(q2, 0.5f) - atLeast(-q2, 0.5f);
                    int c3 = 1 + atLeast(q3, 0.5f) - atLeast(-q3, 0.5f);
                    dst[byteAt + (i >> 2)] = (byte) (c0 << 6 | c1 << 4 | c2 << 2 | c3);
                }
                return; // bytes written
            } else {
                for (int i = 0; i < block; i++) {
                    codes[cAt + i] = code(x[at + i] / used, lo, qmax) + offset;
                }
            }
        } else {
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < block; i++) {
                float v = x[at + i];
                mn = Math.min(mn, v);
                mx = Math.max(mx, v);
            }
            float scale = Math.max((mx - mn) / qmax, BlockQuantConfig.MIN_SCALE);
            float usedScale = fp8 ? p.round(scale) : scale;
            float usedZero = fp8 ? p.round(mn) : mn;
            out.scales()[si] = p.encode(scale);
            out.zeros()[si] = p.encode(mn);
            if (usedScale == 0f) {
                java.util.Arrays.fill(codes, cAt, cAt + block, 0);
            } else if (qmax == 3 && Float.isFinite(usedScale) && Float.isFinite(usedZero) && int2Bytes) {
                // INT2 asymmetric: codes 0..3 from exact comparisons with 0.5, 1.5, 2.5,
                // four per byte.
                for (int i = 0; i < block; i += 4) {
                    int packed = 0;
                    for (int j = 0; j < 4; j++) {
                        float q = (x[at + i + j] - usedZero) / usedScale;
                        packed = packed << 2 | (atLeast(q, 0.5f) + atLeast(q, 1.5f) + atLeast(q, 2.5f));
                    }
                    dst[byteAt + (i >> 2)] = (byte) packed;
                }
                return; // bytes written
            } else {
                for (int i = 0; i < block; i++) {
                    codes[cAt + i] = code((x[at + i] - usedZero) / usedScale, 0, qmax);
                }
            }
        }
        if (int2Bytes) {
            for (int i = 0; i < block; i += 4) {
                int k = cAt + i;
                dst[byteAt + (i >> 2)] = (byte) (codes[k] << 6 | codes[k + 1] << 4 | codes[k + 2] << 2 | codes[k + 3]);
            }
        }
    }

    /**
     * 1 if {@code q >= t}, else 0, without a branch (random data would mispredict one): the
     * sign bit of {@code q - t}. Exact for non-NaN {@code q}: a float difference is zero only
     * when the operands are equal (gradual underflow), and then it is +0; otherwise it has the
     * sign of the exact difference. {@code -q >= t} is {@code q <= -t}. Callers guarantee
     * {@code q} is not NaN (a finite scale and zero point imply finite inputs).
     */
    private static int atLeast(float q, float t) {
        return ~Float.floatToRawIntBits(q - t) >>> 31;
    }

    /** {@code clamp(roundHalfAwayFromZero(q), lo, hi)} as an int, exactly as the reference. */
    private static int code(float q, int lo, int hi) {
        int m = (int) (Math.abs(q) + 0.5d);
        // Branch-free sign (random signs mispredict a branch half the time): sg is -1 when the
        // sign bit is set, and (m ^ -1) + 1 = -m; -0.0 and a negative NaN give 0 as they should.
        int sg = Float.floatToRawIntBits(q) >> 31;
        int v = (m ^ sg) - sg;
        return Math.max(lo, Math.min(hi, v));
    }

    /** Packs unsigned (offset) codes of one row, most significant first, the last byte zero-padded. */
    private static void pack(int[] u, int bits, byte[] dst, int at) {
        int n = u.length;
        switch (bits) {
            case 8 -> {
                for (int i = 0; i < n; i++) {
                    dst[at + i] = (byte) u[i];
                }
            }
            case 4 -> {
                int i = 0, o = at;
                for (; i + 1 < n; i += 2) {
                    dst[o++] = (byte) (u[i] << 4 | u[i + 1]);
                }
                if (i < n) {
                    dst[o] = (byte) (u[i] << 4);
                }
            }
            case 2 -> {
                int i = 0, o = at;
                for (; i + 3 < n; i += 4) {
                    dst[o++] = (byte) (u[i] << 6 | u[i + 1] << 4 | u[i + 2] << 2 | u[i + 3]);
                }
                if (i < n) {
                    int acc = 0, shift = 6;
                    for (; i < n; i++, shift -= 2) {
                        acc |= u[i] << shift;
                    }
                    dst[o] = (byte) acc;
                }
            }
            default -> {
                // 3 bits: a dense MSB-first bit stream, as the reference's accumulator.
                long acc = 0;
                int held = 0, o = at;
                for (int i = 0; i < n; i++) {
                    acc = (acc << bits) | u[i];
                    held += bits;
                    if (held >= 8) {
                        held -= 8;
                        dst[o++] = (byte) (acc >>> held);
                    }
                }
                if (held > 0) {
                    dst[o] = (byte) (acc << (8 - held));
                }
            }
        }
    }

    static void dequantizeRows(PackedBlocks p, float[] out, int from, int to) {
        BlockQuantConfig c = p.config();
        int bits = c.bits();
        int cols = p.cols();
        int block = c.blockSize();
        int blocks = p.blocksPerRow();
        int bytesPerRow = p.bytesPerRow();
        boolean sym = c.symmetric();
        int offset = sym ? c.qmax() : 0;
        ScalePrecision prec = c.scalePrecision();
        byte[] codes = p.codes();
        short[] scales = p.scales();
        short[] zeros = p.zeros();
        int levels = bits == 8 ? 256 : 1 << bits;
        float[] table = new float[levels];
        for (int r = from; r < to; r++) {
            int rowAt = r * bytesPerRow;
            for (int b = 0; b < blocks; b++) {
                int si = r * blocks + b;
                float scale = prec.decode(scales[si]);
                float zero = sym ? 0f : prec.decode(zeros[si]);
                int o = r * cols + b * block;
                int col0 = b * block;
                if (bits == 8) {
                    for (int i = 0; i < block; i++) {
                        byte v = codes[rowAt + col0 + i];
                        float q = (sym ? v : v & 0xFF) * scale;
                        out[o + i] = sym ? q : q + zero;
                    }
                    continue;
                }
                for (int u = 0; u < levels; u++) {
                    float q = (u - offset) * scale;
                    table[u] = sym ? q : q + zero;
                }
                if (bits == 2 && (col0 & 3) == 0 && (block & 3) == 0) {
                    int byteAt = rowAt + (col0 >> 2);
                    for (int i = 0; i < block; i += 4) {
                        int v = codes[byteAt + (i >> 2)];
                        out[o + i] = table[(v >> 6) & 3];
                        out[o + i + 1] = table[(v >> 4) & 3];
                        out[o + i + 2] = table[(v >> 2) & 3];
                        out[o + i + 3] = table[v & 3];
                    }
                } else if (bits == 4 && (col0 & 1) == 0 && (block & 1) == 0) {
                    int byteAt = rowAt + (col0 >> 1);
                    for (int i = 0; i < block; i += 2) {
                        int v = codes[byteAt + (i >> 1)];
                        out[o + i] = table[(v >> 4) & 15];
                        out[o + i + 1] = table[v & 15];
                    }
                } else {
                    for (int i = 0; i < block; i++) {
                        long bit = (long) (col0 + i) * bits;
                        int byteIdx = rowAt + (int) (bit >>> 3);
                        int shift = (int) (bit & 7);
                        int word = (codes[byteIdx] & 0xFF) << 8;
                        if (shift + bits > 8) {
                            word |= codes[byteIdx + 1] & 0xFF;
                        }
                        out[o + i] = table[(word >>> (16 - shift - bits)) & ((1 << bits) - 1)];
                    }
                }
            }
        }
    }
}
