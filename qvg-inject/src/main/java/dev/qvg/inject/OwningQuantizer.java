package dev.qvg.inject;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.List;

/** A pipeline's quantizer that closes the pipeline (its backend) when closed; every call is the method's own. */
final class OwningQuantizer implements Quantizer {

    private final Pipeline pipeline;
    private final Quantizer q;

    OwningQuantizer(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.q = pipeline.quantizer();
    }

    @Override
    public QuantizerConfig config() {
        return q.config();
    }

    @Override
    public QuantizedKv quantize(KvTensor x, KvRole role) {
        return q.quantize(x, role);
    }

    @Override
    public QuantizedKv quantize(KvTensor x, KvRole role, List<ClusterStage> warmStart) {
        return q.quantize(x, role, warmStart);
    }

    @Override
    public QuantizedKv quantizeSlices(KvTensor x, KvRole role, int firstSlice) {
        return q.quantizeSlices(x, role, firstSlice);
    }

    @Override
    public KvTensor dequantize(QuantizedKv code) {
        return q.dequantize(code);
    }

    @Override
    public void dequantizeInto(QuantizedKv code, float[] out, int offset, int sliceStride) {
        q.dequantizeInto(code, out, offset, sliceStride);
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        return q.budget(shape, role);
    }

    @Override
    public void close() {
        try {
            q.close();
        } finally {
            pipeline.close();
        }
    }

    @Override
    public String toString() {
        return q.toString();
    }
}
