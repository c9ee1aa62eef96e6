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
