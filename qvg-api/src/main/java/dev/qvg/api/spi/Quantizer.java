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
public interface Quantizer extends AutoCloseable {

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

    /**
     * Quantizes {@code x}, which holds slices {@code [firstSlice, firstSlice + x.slices)} (in
     * {@code batch * heads} order) of a larger tensor of the same tokens and head dim: the result
     * equals those slices of quantizing the whole tensor, bit for bit, so a tensor can be
     * compressed part by part in bounded memory. The default supports only {@code firstSlice == 0}.
     *
     * @throws UnsupportedOperationException for {@code firstSlice > 0} when the method does not support parts
     */
    default QuantizedKv quantizeSlices(KvTensor x, KvRole role, int firstSlice) {
        if (firstSlice < 0) {
            throw new IllegalArgumentException("firstSlice: must not be negative, got " + firstSlice);
        }
        if (firstSlice != 0) {
            throw new UnsupportedOperationException("method '" + config().method()
                    + "' quantizes whole tensors only: it does not override Quantizer.quantizeSlices, which parts need");
        }
        return quantize(x, role);
    }

    /** The BHSD float32 reconstruction. */
    KvTensor dequantize(QuantizedKv q);

    /**
     * The BHSD reconstruction written into part of a larger array: slice {@code i} (of
     * {@code batch * heads}) goes to {@code out[offset + i * sliceStride ...]}, {@code tokens * headDim}
     * floats, the same values {@link #dequantize} gives; nothing else of {@code out} is written.
     * The default dequantizes and copies; a method that can decode in place overrides it.
     *
     * @throws IllegalArgumentException if the slices do not fit in {@code out} or overlap
     */
    default void dequantizeInto(QuantizedKv q, float[] out, int offset, int sliceStride) {
        dev.qvg.api.Args.notNull(q, "q");
        KvShape shape = q.shape();
        int slices = shape.slices(), perSlice = shape.tokens() * shape.headDim();
        dev.qvg.api.reference.KernelArgs.checkSlicesFit(slices, perSlice, out, offset, sliceStride);
        float[] all = dequantize(q).toBhsd().data();
        for (int i = 0; i < slices; i++) {
            System.arraycopy(all, i * perSlice, out, offset + i * sliceStride, perSlice);
        }
    }

    /** The exact storage {@link #quantize} will produce for this shape, without running it. */
    BitBudget budget(KvShape shape, KvRole role);

    /**
     * Releases what this quantizer owns. A quantizer from qvg-inject's {@code Pipelines.quantizer} owns its
     * backend and closes it; one built by hand on a {@link QuantizerContext} owns nothing (the
     * default). Idempotent.
     */
    @Override
    default void close() {
    }
}
