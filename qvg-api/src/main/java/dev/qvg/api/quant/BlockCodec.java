package dev.qvg.api.quant;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.tensor.Rounding;

/**
 * The reference block quantizer and its byte format (spec section 6), written for clarity. It
 * defines what every backend's {@code quantizePack} and {@code unpackDequant} must produce bit
 * for bit; backends may call it (the CPU backend parallelises it over rows).
 *
 * <p>Rounding order, as the original: the scale is computed in float32 and clamped to
 * {@link BlockQuantConfig#MIN_SCALE}; with BF16 storage values are divided by that float32
 * scale and the stored scale is its bf16 rounding; with FP8 storage the scale (and zero point)
 * is rounded to FP8 first and values are divided by the rounded scale. Codes use
 * round-half-away-from-zero. When an FP8 scale underflows to zero (blocks with absmax below
 * about 2^-10 * qmax) every code of the block is the zero code, so the block dequantizes to
 * exactly its stored zero point (0 when symmetric).
 */
public final class BlockCodec {

    private BlockCodec() {
    }

    /** Quantizes and packs a row-major {@code [rows, cols]} matrix starting at {@code offset}. */
    public static PackedBlocks quantize(float[] x, int offset, int rows, int cols, BlockQuantConfig config) {
        if ((long) offset + (long) rows * cols > x.length || offset < 0) {
            throw new IllegalArgumentException("quantize: [" + rows + ", " + cols + "] from offset " + offset
                    + " does not fit an input of " + x.length + " floats");
        }
        PackedBlocks out = PackedBlocks.allocate(rows, cols, config);
        quantizeRows(x, offset, out, 0, rows);
        return out;
    }

    /**
     * Quantizes rows {@code [rowStart, rowEnd)} of the matrix at {@code x[offset..]} into
     * {@code out}'s storage; rows are independent, so disjoint ranges may run concurrently.
     */
    public static void quantizeRows(float[] x, int offset, PackedBlocks out, int rowStart, int rowEnd) {
        BlockQuantConfig c = out.config();
        int cols = out.cols();
        int block = c.blockSize();
        int blocks = out.blocksPerRow();
        int qmax = c.qmax();
        ScalePrecision p = c.scalePrecision();
        boolean fp8 = p == ScalePrecision.FP8_E4M3;
        int[] rowCodes = new int[cols];
        for (int r = rowStart; r < rowEnd; r++) {
            int base = offset + r * cols;
            for (int b = 0; b < blocks; b++) {
                int from = base + b * block;
                int si = r * blocks + b;
                if (c.symmetric()) {
                    float absmax = 0f;
                    for (int i = 0; i < block; i++) {
                        absmax = Math.max(absmax, Math.abs(x[from + i]));
                    }
                    float scale = Math.max(absmax / qmax, BlockQuantConfig.MIN_SCALE);
                    float used = fp8 ? p.round(scale) : scale;
                    out.scales()[si] = p.encode(scale);
                    for (int i = 0; i < block; i++) {
                        rowCodes[b * block + i] = used == 0f ? 0 : clamp(Rounding.halfAwayFromZero(x[from + i] / used), -qmax, qmax);
                    }
                } else {
                    float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < block; i++) {
                        float v = x[from + i];
                        mn = Math.min(mn, v);
                        mx = Math.max(mx, v);
                    }
                    float scale = Math.max((mx - mn) / qmax, BlockQuantConfig.MIN_SCALE);
                    float usedScale = fp8 ? p.round(scale) : scale;
                    float usedZero = fp8 ? p.round(mn) : mn;
                    out.scales()[si] = p.encode(scale);
                    out.zeros()[si] = p.encode(mn);
                    for (int i = 0; i < block; i++) {
                        rowCodes[b * block + i] = usedScale == 0f ? 0
                                : clamp(Rounding.halfAwayFromZero((x[from + i] - usedZero) / usedScale), 0, qmax);
                    }
                }
            }
            packRow(rowCodes, c, out.codes(), r * out.bytesPerRow());
        }
    }

    private static int clamp(float v, int lo, int hi) {
        return (int) Math.max(lo, Math.min(hi, v));
    }

    /** Packs one row of signed codes into bytes at {@code dst[at..]} per the class format. */
    static void packRow(int[] codes, BlockQuantConfig c, byte[] dst, int at) {
        int bits = c.bits();
        if (bits == 8) {
            for (int i = 0; i < codes.length; i++) {
                dst[at + i] = (byte) codes[i];
            }
            return;
        }
        int offset = c.symmetric() ? c.qmax() : 0;
        long acc = 0;
        int held = 0;
        int o = at;
        for (int code : codes) {
            acc = (acc << bits) | (code + offset);
            held += bits;
            while (held >= 8) {
                held -= 8;
                dst[o++] = (byte) (acc >>> held);
            }
        }
        if (held > 0) {
            dst[o] = (byte) (acc << (8 - held));
        }
    }

    /** The signed code of {@code (row, col)}. */
    static int unpackCode(PackedBlocks p, int row, int col) {
        BlockQuantConfig c = p.config();
        int bits = c.bits();
        int rowAt = row * p.bytesPerRow();
        if (bits == 8) {
            byte b = p.codes()[rowAt + col];
            return c.symmetric() ? b : b & 0xFF;
        }
        long bit = (long) col * bits;
        int byteIdx = rowAt + (int) (bit >>> 3);
        int shift = (int) (bit & 7);
        int word = (p.codes()[byteIdx] & 0xFF) << 8;
        if (shift + bits > 8) {
            word |= p.codes()[byteIdx + 1] & 0xFF;
        }
        int u = (word >>> (16 - shift - bits)) & ((1 << bits) - 1);
        return c.symmetric() ? u - c.qmax() : u;
    }

    /** Dequantizes everything into {@code out[outOffset..]} ({@code rows * cols} floats). */
    public static void dequantize(PackedBlocks p, float[] out, int outOffset) {
        dequantizeRows(p, out, outOffset, 0, p.rows());
    }

    /**
     * Dequantizes rows {@code [rowStart, rowEnd)}: {@code q * scale} (symmetric) or
     * {@code q * scale + zero} (asymmetric), with the stored scale and zero, in float32 with a
     * separate multiply and add (no fused multiply-add), so every backend can match it exactly.
     */
    public static void dequantizeRows(PackedBlocks p, float[] out, int outOffset, int rowStart, int rowEnd) {
        BlockQuantConfig c = p.config();
        int cols = p.cols();
        int block = c.blockSize();
        int blocks = p.blocksPerRow();
        ScalePrecision prec = c.scalePrecision();
        for (int r = rowStart; r < rowEnd; r++) {
            for (int b = 0; b < blocks; b++) {
                int si = r * blocks + b;
                float scale = prec.decode(p.scales()[si]);
                float zero = c.symmetric() ? 0f : prec.decode(p.zeros()[si]);
                int o = outOffset + r * cols + b * block;
                for (int i = 0; i < block; i++) {
                    float v = unpackCode(p, r, b * block + i) * scale;
                    out[o + i] = c.symmetric() ? v : v + zero;
                }
            }
        }
    }
}
