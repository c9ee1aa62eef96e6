package dev.qvg.api.quant;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;

/**
 * Block-quantized codes of a {@code [rows, cols]} matrix (spec section 6), as stored.
 *
 * <ul>
 *   <li>{@code codes}: row-major, each row packed on its own into
 *       {@link BlockQuantConfig#packedBytesPerRow(int)} bytes. 2 and 4 bits: unsigned codes
 *       (symmetric codes offset by +qmax) packed most significant first, exactly as the original:
 *       INT4 {@code byte = c[2i] << 4 | c[2i+1]}, INT2 {@code byte = c[4i] << 6 | c[4i+1] << 4 | c[4i+2] << 2 | c[4i+3]}.
 *       3 bits: the same offset codes as a dense MSB-first bit stream, 8 codes per 3 bytes (the
 *       original stores one code per byte; this is the documented denser packing).
 *       8 bits: one code per byte as the original's int8 (symmetric: signed code; asymmetric: the
 *       unsigned code's byte).</li>
 *   <li>{@code scales}: {@code [rows, cols / blockSize]} bit patterns in the config's scale
 *       precision (FP8 in the low byte of each short).</li>
 *   <li>{@code zeros}: same shape and precision, only for asymmetric configs, else {@code null}.</li>
 * </ul>
 * The arrays are owned by this value; callers must not modify them.
 */
public record PackedBlocks(int rows, int cols, BlockQuantConfig config, byte[] codes, short[] scales, short[] zeros) {

    public PackedBlocks {
        Args.notNull(config, "config");
        Args.notNull(codes, "codes");
        Args.notNull(scales, "scales");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("packed blocks: rows and cols must be positive, got [" + rows + ", " + cols + "]");
        }
        int blocks = config.blocksPerRow(cols);
        long codeBytes = (long) rows * config.packedBytesPerRow(cols);
        if (codes.length != codeBytes) {
            throw new IllegalArgumentException("packed blocks: codes must hold " + codeBytes + " bytes for [" + rows + ", "
                    + cols + "] at " + config.bits() + " bits, got " + codes.length);
        }
        if (scales.length != (long) rows * blocks) {
            throw new IllegalArgumentException("packed blocks: scales must hold " + (long) rows * blocks + " entries, got "
                    + scales.length);
        }
        if (config.symmetric() && zeros != null) {
            throw new IllegalArgumentException("packed blocks: a symmetric config stores no zero points");
        }
        if (!config.symmetric() && (zeros == null || zeros.length != scales.length)) {
            throw new IllegalArgumentException("packed blocks: an asymmetric config needs " + scales.length
                    + " zero points, got " + (zeros == null ? "none" : zeros.length));
        }
    }

    /** Allocates empty storage for a {@code [rows, cols]} matrix. */
    public static PackedBlocks allocate(int rows, int cols, BlockQuantConfig config) {
        int blocks = config.blocksPerRow(cols);
        long codeBytes = (long) rows * config.packedBytesPerRow(cols);
        long scaleCount = (long) rows * blocks;
        if (codeBytes > Integer.MAX_VALUE - 8 || scaleCount > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packed blocks: [" + rows + ", " + cols + "] is too large for one array");
        }
        return new PackedBlocks(rows, cols, config, new byte[(int) codeBytes], new short[(int) scaleCount],
                config.symmetric() ? null : new short[(int) scaleCount]);
    }

    public int blocksPerRow() {
        return cols / config.blockSize();
    }

    public int bytesPerRow() {
        return config.packedBytesPerRow(cols);
    }

    /** The signed code of element {@code (row, col)} as the dequantizer sees it. */
    public int code(int row, int col) {
        return BlockCodec.unpackCode(this, row, col);
    }

    /** Stored size in bits of codes, scales and zeros. */
    public long codeBits() {
        return (long) codes.length * 8;
    }

    public long scaleBits() {
        return (long) scales.length * config.scalePrecision().bits();
    }

    public long zeroBits() {
        return zeros == null ? 0 : (long) zeros.length * config.scalePrecision().bits();
    }
}
