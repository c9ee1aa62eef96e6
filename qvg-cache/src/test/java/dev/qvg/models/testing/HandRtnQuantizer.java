package dev.qvg.models.testing;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.List;
import java.util.Map;

/**
 * A quantizer built by hand from the reference codec alone (per-token block RTN), so the cache
 * tests do not depend on any registered provider. Counts its calls.
 */
public final class HandRtnQuantizer implements Quantizer {

    private final QuantizerConfig config;
    public volatile int calls;

    public HandRtnQuantizer(QuantizerConfig config) {
        this.config = config.toBuilder().method("rtn").build();
    }

    @Override
    public QuantizerConfig config() {
        return config;
    }

    @Override
    public QuantizedKv quantize(KvTensor x, KvRole role) {
        calls++;
        KvTensor b = x.requireFinite("hand rtn").toBhsd();
        KvShape s = b.shape();
        var blocks = BlockCodec.quantize(b.data(), 0, s.slices() * s.tokens(), s.headDim(), config.quant());
        return new QuantizedKv(s, role, "rtn", Orientation.TOKEN_MAJOR, s.tokens(), blocks, List.of(), new short[0],
                Map.of());
    }

    @Override
    public KvTensor dequantize(QuantizedKv q) {
        return ReferenceDecoder.decode(q);
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        long rows = (long) shape.slices() * shape.tokens();
        long codes = rows * config.quant().packedBytesPerRow(shape.headDim()) * 8L;
        long scales = rows * config.quant().blocksPerRow(shape.headDim()) * config.quant().scalePrecision().bits();
        return new BitBudget(shape.numel(), codes, scales, 0, 0, 0, 0);
    }
}
