package dev.qvg.io;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import java.util.Map;

/**
 * An entry's exact storage from its layout alone (what {@link QuantizedKv#budget()} counts for the
 * arrays it would hold), and the metadata keys it is written under: one definition for the whole
 * reader, the streamed reader and both writers.
 */
final class EntryBudgets {

    private EntryBudgets() {
    }

    /**
     * @param quant        the block quantizer, or {@code null} when no token is quantized
     * @param rowsPerSlice packed rows per slice ({@code quantized} tokens, or D for channel-major)
     * @param cols         values per packed row
     * @param clusters     each stage's cluster count
     * @param quantized    quantized tokens per slice
     */
    static BitBudget of(KvShape shape, BlockQuantConfig quant, int rowsPerSlice, int cols, int[] clusters, int quantized) {
        long n = shape.slices();
        long codeBits = 0, scaleBits = 0, zeroBits = 0, idBits = 0, centroidBits = 0;
        if (quant != null) {
            long rows = rowsPerSlice * n;
            codeBits = rows * quant.packedBytesPerRow(cols) * 8L;
            scaleBits = rows * quant.blocksPerRow(cols) * quant.scalePrecision().bits();
            zeroBits = quant.symmetric() ? 0 : scaleBits;
        }
        for (int k : clusters) {
            idBits += n * quantized * (k <= 256 ? 8 : 16);
            centroidBits += n * k * shape.headDim() * 16L;
        }
        long tail = n * (shape.tokens() - quantized) * shape.headDim() * 16L;
        return new BitBudget(shape.numel(), codeBits, scaleBits, zeroBits, idBits, centroidBits, tail);
    }

    /** Writes {@code bb} under {@code prefix.budget.*}, the keys Python readers and {@code qvg inspect} read. */
    static void put(Map<String, String> meta, String prefix, BitBudget bb) {
        meta.put(prefix + ".budget.values", Long.toString(bb.values()));
        meta.put(prefix + ".budget.code_bits", Long.toString(bb.codeBits()));
        meta.put(prefix + ".budget.scale_bits", Long.toString(bb.scaleBits()));
        meta.put(prefix + ".budget.zero_bits", Long.toString(bb.zeroBits()));
        meta.put(prefix + ".budget.id_bits", Long.toString(bb.idBits()));
        meta.put(prefix + ".budget.centroid_bits", Long.toString(bb.centroidBits()));
        meta.put(prefix + ".budget.full_precision_bits", Long.toString(bb.fullPrecisionBits()));
        meta.put(prefix + ".budget.total_bits", Long.toString(bb.totalBits()));
        meta.put(prefix + ".budget.bits_per_value", Double.toString(bb.bitsPerValue()));
        meta.put(prefix + ".budget.compression_ratio", Double.toString(bb.compressionRatio()));
    }
}
