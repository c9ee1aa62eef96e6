package dev.qvg.api.spi;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;

/**
 * A whole quantization method (QVG's SAS/PRQ, or a baseline such as RTN or KIVI). Input
 * tensors must be finite (a NaN or infinity is refused with its index); the input is never
 * modified.
 */
public interface Quantizer {

    QuantizerConfig config();

    QuantizedKv quantize(KvTensor x, KvRole role);

    /** The BHSD float32 reconstruction. */
    KvTensor dequantize(QuantizedKv q);

    /** The exact storage {@link #quantize} will produce for this shape, without running it. */
    BitBudget budget(KvShape shape, KvRole role);
}
