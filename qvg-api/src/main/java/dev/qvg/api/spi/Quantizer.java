package dev.qvg.api.spi;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.List;

/**
 * A whole quantization method (QVG's SAS/PRQ, or a baseline such as RTN or KIVI). Input
 * tensors must be finite (a NaN or infinity is refused with its index); the input is never
 * modified.
 */
public interface Quantizer {

    QuantizerConfig config();

    QuantizedKv quantize(KvTensor x, KvRole role);

    /**
     * As {@link #quantize(KvTensor, KvRole)}, with a hint for warm-starting k-means: the
     * {@link ClusterStage}s of a neighbouring span (usually the previous span of the same layer
     * and role), stage by stage. A method may start each stage's k-means from those centroids
     * when its config enables it; the result must still be a valid encoding of {@code x} alone,
     * and the same input, config and hint must give the same bits. The default ignores the hint.
     *
     * @param warmStart the previous span's stages, or {@code null} or empty for a cold start
     */
    default QuantizedKv quantize(KvTensor x, KvRole role, List<ClusterStage> warmStart) {
        return quantize(x, role);
    }

    /** The BHSD float32 reconstruction. */
    KvTensor dequantize(QuantizedKv q);

    /** The exact storage {@link #quantize} will produce for this shape, without running it. */
    BitBudget budget(KvShape shape, KvRole role);
}
