package dev.qvg.residual;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvShape;

/**
 * Storage predicted from shapes alone (spec section 8), component by component exactly as
 * {@link dev.qvg.api.quant.QuantizedKv#budget()} counts what a quantization produced: packed
 * code bytes, one scale (and zero point) per block, one id per quantized token and stage,
 * {@code clusters x D} bf16 centroids per slice and stage, 16 bits per full-precision value.
 */
final class Budgets {

    private Budgets() {
    }

    /**
     * @param rows            rows of the block-quantized matrix (0 when nothing is quantized)
     * @param cols            its row length, a multiple of the block size
     * @param quantizedTokens tokens per slice that are quantized (the rest stay bf16)
     */
    static BitBudget predict(KvShape shape, BlockQuantConfig quant, int rows, int cols, int stages, int clusters,
                             int quantizedTokens) {
        long n = shape.slices(), D = shape.headDim();
        long codeBits = 0, scaleBits = 0, zeroBits = 0;
        if (rows > 0) {
            long blocks = (long) rows * quant.blocksPerRow(cols);
            codeBits = (long) rows * quant.packedBytesPerRow(cols) * 8;
            scaleBits = blocks * quant.scalePrecision().bits();
            zeroBits = quant.symmetric() ? 0 : scaleBits;
        }
        long idBits = clusters <= 256 ? 8 : 16;
        long ids = stages * n * quantizedTokens * idBits;
        long centroids = stages * n * clusters * D * 16;
        long fullPrecision = n * (shape.tokens() - quantizedTokens) * D * 16;
        return new BitBudget(shape.numel(), codeBits, scaleBits, zeroBits, ids, centroids, fullPrecision);
    }
}
