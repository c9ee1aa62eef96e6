package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A plug-in method known to no file of qvg-cli's main code (registered in this module's test
 * resources): round-to-nearest of the values times a knob {@code gain}, decoded by dividing again.
 * The commands must offer its knob, plan it, store it and decode it as they do the built-ins.
 */
public final class GainRtnProvider implements QuantizerProvider {

    static final String NAME = "gain-rtn";
    static final Knob GAIN = Knob.real("gain", "--gain", 1.0, 0.125, 8, "multiply values by this before rounding");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Knob> knobs() {
        return List.of(GAIN);
    }

    @Override
    public Set<CoreSetting> settings() {
        return EnumSet.of(CoreSetting.BITS, CoreSetting.BLOCK_SIZE, CoreSetting.SYMMETRIC, CoreSetting.SCALE_PRECISION);
    }

    @Override
    public QuantizerConfig canonical(QuantizerConfig c) {
        return c.stages() == 0 ? c : c.toBuilder().stages(0).build();
    }

    @Override
    public Optional<BitBudget> budget(QuantizerConfig c, KvShape shape, KvRole role) {
        c.quant().requireDivides(shape.headDim());
        return Optional.of(BitBudget.predict(shape, c.quant(), (long) shape.slices() * shape.tokens(), shape.headDim(), 0,
                1, shape.tokens()));
    }

    @Override
    public boolean supportsParts() {
        return true;
    }

    @Override
    public Quantizer create(QuantizerConfig config, QuantizerContext context) {
        Methods.checkKnobs(this, config.params());
        QuantizerConfig c = canonical(config);
        float gain = (float) GAIN.realValue(c);
        return new Quantizer() {
            @Override
            public QuantizerConfig config() {
                return c;
            }

            @Override
            public QuantizedKv quantize(KvTensor x, KvRole role) {
                return quantizeSlices(x, role, 0);
            }

            @Override
            public QuantizedKv quantizeSlices(KvTensor x, KvRole role, int firstSlice) {
                x.requireFinite("x");
                budget(x.shape(), role);
                float[] v = (x.layout() == Layout.BHSD ? x : x.toBhsd()).data().clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= gain;
                }
                KvShape s = x.shape();
                PackedBlocks b = context.backend().quantizePack(v, s.slices() * s.tokens(), s.headDim(), c.quant());
                return new QuantizedKv(s, role, NAME, Orientation.TOKEN_MAJOR, s.tokens(), b, List.of(), new short[0],
                        Map.of(QuantizedKv.INFO_METHOD_DECODE, "true", "gain", Float.toString(gain)));
            }

            @Override
            public KvTensor dequantize(QuantizedKv q) {
                float[] out = new float[q.shape().numel()];
                context.backend().unpackDequant(q.blocks(), out);
                for (int i = 0; i < out.length; i++) {
                    out[i] /= gain;
                }
                return KvTensor.wrap(q.shape(), out);
            }

            @Override
            public BitBudget budget(KvShape shape, KvRole role) {
                return GainRtnProvider.this.budget(c, shape, role).orElseThrow();
            }
        };
    }
}
