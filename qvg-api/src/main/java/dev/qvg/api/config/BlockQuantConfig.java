package dev.qvg.api.config;

/**
 * The block quantizer of spec section 6: {@code bits} per code, blocks of {@code blockSize}
 * consecutive values along a row, symmetric (sign-magnitude grid) or asymmetric (zero point),
 * scales stored in {@code scalePrecision}.
 */
public record BlockQuantConfig(int bits, int blockSize, boolean symmetric, ScalePrecision scalePrecision) {

    /** Smallest scale the quantizer uses, so an all-zero block does not divide by zero. */
    public static final float MIN_SCALE = 1e-10f;

    public BlockQuantConfig {
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits: unsupported value " + bits + ", expected 2, 3, 4 or 8");
        }
        if (blockSize <= 0 || blockSize > 65536) {
            throw new IllegalArgumentException("blockSize: must be in 1..65536, got " + blockSize);
        }
        if (scalePrecision == null) {
            throw new IllegalArgumentException("scalePrecision: must not be null");
        }
    }

    /** The published INT2 setting: 2 bits, block 64, symmetric, bf16 scales. */
    public static BlockQuantConfig publishedInt2() {
        return new BlockQuantConfig(2, 64, true, ScalePrecision.BF16);
    }

    /** Largest code magnitude: {@code 2^(n-1) - 1} symmetric, {@code 2^n - 1} asymmetric. */
    public int qmax() {
        return symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Bytes one packed row of {@code cols} codes takes (dense bit packing, row padded to a byte). */
    public int packedBytesPerRow(int cols) {
        return (int) (((long) cols * bits + 7) / 8);
    }

    /** Blocks in a row of {@code cols} values; {@code cols} must be a multiple of the block size. */
    public int blocksPerRow(int cols) {
        requireDivides(cols);
        return cols / blockSize;
    }

    /** Fails naming both numbers when a row length is not a whole number of blocks. */
    public void requireDivides(int cols) {
        if (cols % blockSize != 0) {
            throw new IllegalArgumentException("blockSize: row length " + cols + " is not a multiple of block size "
                    + blockSize);
        }
    }

    public BlockQuantConfig withBits(int newBits) {
        return new BlockQuantConfig(newBits, blockSize, symmetric, scalePrecision);
    }

    public BlockQuantConfig withBlockSize(int newBlockSize) {
        return new BlockQuantConfig(bits, newBlockSize, symmetric, scalePrecision);
    }

    public BlockQuantConfig withSymmetric(boolean newSymmetric) {
        return new BlockQuantConfig(bits, blockSize, newSymmetric, scalePrecision);
    }

    public BlockQuantConfig withScalePrecision(ScalePrecision p) {
        return new BlockQuantConfig(bits, blockSize, symmetric, p);
    }
}
