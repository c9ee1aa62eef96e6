package dev.qvg.api.quant;

/**
 * Exact storage of a quantized tensor, per component, in bits (spec section 8), against the
 * {@code values} it represents at 16 bits each in BF16.
 */
public record BitBudget(long values, long codeBits, long scaleBits, long zeroBits, long idBits, long centroidBits,
                        long fullPrecisionBits) {

    public BitBudget {
        if (values <= 0) {
            throw new IllegalArgumentException("bit budget: values must be positive, got " + values);
        }
        if (codeBits < 0 || scaleBits < 0 || zeroBits < 0 || idBits < 0 || centroidBits < 0 || fullPrecisionBits < 0) {
            throw new IllegalArgumentException("bit budget: component sizes must not be negative");
        }
    }

    /** A tensor kept entirely in BF16. */
    public static BitBudget bf16(long values) {
        return new BitBudget(values, 0, 0, 0, 0, 0, values * 16);
    }

    /**
     * The storage a quantization will produce, from shapes alone, counted exactly as
     * {@link QuantizedKv#budget()} counts a real result: packed code bytes (each row padded to a
     * byte), one scale (and, asymmetric, one zero point) per block, one id per quantized token
     * and stage (8 bits up to 256 clusters, else 16), {@code clusters x D} bf16 centroids per
     * slice and stage, 16 bits per value left in bf16.
     *
     * @param rows            rows of the block-quantized matrix (0 when nothing is quantized)
     * @param cols            its row length, a multiple of the block size
     * @param quantizedTokens tokens per slice that are quantized (the rest stay bf16)
     */
    public static BitBudget predict(dev.qvg.api.tensor.KvShape shape, dev.qvg.api.config.BlockQuantConfig quant,
                                    long rows, int cols, int stages, int clusters, int quantizedTokens) {
        long n = shape.slices(), D = shape.headDim();
        long codeBits = 0, scaleBits = 0, zeroBits = 0;
        if (rows > 0) {
            long blocks = rows * quant.blocksPerRow(cols);
            codeBits = rows * quant.packedBytesPerRow(cols) * 8L;
            scaleBits = blocks * quant.scalePrecision().bits();
            zeroBits = quant.symmetric() ? 0 : scaleBits;
        }
        long idBits = clusters <= 256 ? 8 : 16;
        long ids = stages * n * quantizedTokens * idBits;
        long centroids = stages * n * clusters * D * 16;
        long fullPrecision = n * (shape.tokens() - quantizedTokens) * D * 16;
        return new BitBudget(shape.numel(), codeBits, scaleBits, zeroBits, ids, centroids, fullPrecision);
    }

    public long totalBits() {
        return codeBits + scaleBits + zeroBits + idBits + centroidBits + fullPrecisionBits;
    }

    public long totalBytes() {
        return (totalBits() + 7) / 8;
    }

    public double bitsPerValue() {
        return (double) totalBits() / values;
    }

    /** BF16 size over this size. */
    public double compressionRatio() {
        return 16.0 * values / totalBits();
    }

    /** Component-wise sum (for whole caches: layers, K and V, spans). */
    public BitBudget plus(BitBudget o) {
        return new BitBudget(values + o.values, codeBits + o.codeBits, scaleBits + o.scaleBits, zeroBits + o.zeroBits,
                idBits + o.idBits, centroidBits + o.centroidBits, fullPrecisionBits + o.fullPrecisionBits);
    }

    /** Every component multiplied by {@code n} (n identical layers, say). */
    public BitBudget times(long n) {
        return new BitBudget(values * n, codeBits * n, scaleBits * n, zeroBits * n, idBits * n, centroidBits * n,
                fullPrecisionBits * n);
    }
}
