package dev.qvg.residual;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.api.tensor.SliceBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every whole-method quantizer here shares: argument checks, the working copy in BHSD
 * (the input is never modified), and decoding of any {@link QuantizedKv} through the backend
 * (token-major blocks through the fused {@code decode}, channel-major ones unpacked and
 * transposed, then the bf16 tail).
 */
abstract class AbstractKvQuantizer implements Quantizer {

    protected final QuantizerConfig config;
    protected final QuantizerContext context;

    protected AbstractKvQuantizer(String method, QuantizerConfig config, QuantizerContext context) {
        this.config = Args.notNull(config, "config");
        this.context = Args.notNull(context, "context");
        if (!config.method().equals(method)) {
            throw new IllegalArgumentException("method: the '" + method + "' quantizer was given a config for method '"
                    + config.method() + "'");
        }
    }

    @Override
    public final QuantizerConfig config() {
        return config;
    }

    @Override
    public final QuantizedKv quantize(KvTensor x, KvRole role) {
        return quantizeSlices(x, role, 0, List.of());
    }

    @Override
    public final QuantizedKv quantize(KvTensor x, KvRole role, List<ClusterStage> warmStart) {
        return quantizeSlices(x, role, 0, warmStart == null ? List.of() : warmStart);
    }

    @Override
    public final QuantizedKv quantizeSlices(KvTensor x, KvRole role, int firstSlice) {
        return quantizeSlices(x, role, firstSlice, List.of());
    }

    private QuantizedKv quantizeSlices(KvTensor x, KvRole role, int firstSlice, List<ClusterStage> warmStart) {
        Args.notNull(x, "x");
        Args.notNull(role, "role");
        // Shape problems (block size, group size) are found by the budget before any work.
        budget(x.shape(), role);
        // The yes/no scan on every core; only a failing tensor is scanned again to name its first bad value.
        if (!dev.qvg.api.tensor.FiniteScan.allParallel(x.data(), x.data().length)) {
            x.requireFinite("x");
        }
        float[] work = x.layout() == Layout.BHSD ? x.data().clone() : x.toBhsd().data();
        SliceBatch batch = new SliceBatch(x.shape().slices(), x.shape().tokens(), x.shape().headDim(), firstSlice);
        return encode(x.shape(), batch, role, work, warmStart);
    }

    /**
     * Quantizes {@code work}, a private BHSD copy of the input it may overwrite; {@code batch}
     * says which slices of the whole tensor these are (for the random draws). Methods without
     * k-means ignore {@code warmStart}.
     */
    protected abstract QuantizedKv encode(KvShape shape, SliceBatch batch, KvRole role, float[] work,
                                          List<ClusterStage> warmStart);

    @Override
    public KvTensor dequantize(QuantizedKv q) {
        Args.notNull(q, "q");
        KvShape shape = q.shape();
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim(), Sq = q.quantizedTokens();
        Backend backend = context.backend();
        float[] out = new float[shape.numel()];
        if (Sq > 0) {
            SliceBatch qb = new SliceBatch(n, Sq, D);
            float[] part = Sq == S ? out : new float[qb.numel()];
            if (q.orientation() == Orientation.TOKEN_MAJOR) {
                backend.decode(qb, q.blocks(), q.stages(), part);
            } else {
                float[] channelMajor = new float[qb.numel()];
                backend.unpackDequant(q.blocks(), channelMajor);
                Transpose.channelToToken(channelMajor, part, n, Sq, D);
                for (ClusterStage st : q.stages()) {
                    backend.accumulateCentroids(qb, part, st.ids(), st.centroidsAsFloat(), st.clusters());
                }
            }
            if (part != out) {
                for (int i = 0; i < n; i++) {
                    System.arraycopy(part, i * Sq * D, out, i * S * D, Sq * D);
                }
            }
        }
        int tail = S - Sq;
        short[] t = q.fullPrecisionTail();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < tail * D; j++) {
                out[(i * S + Sq) * D + j] = Bf16.toFloat(t[i * tail * D + j]);
            }
        }
        return KvTensor.wrap(shape, out);
    }

    /**
     * Straight into {@code out} through {@link Backend#decodeInto} for token-major codes with no
     * full-precision tail (every SAS/PRQ/RTN span); other layouts take the default copy.
     */
    @Override
    public void dequantizeInto(QuantizedKv q, float[] out, int offset, int sliceStride) {
        Args.notNull(q, "q");
        KvShape shape = q.shape();
        if (q.orientation() != Orientation.TOKEN_MAJOR || q.quantizedTokens() != shape.tokens()) {
            Quantizer.super.dequantizeInto(q, out, offset, sliceStride);
            return;
        }
        SliceBatch qb = new SliceBatch(shape.slices(), shape.tokens(), shape.headDim());
        context.backend().decodeInto(qb, q.blocks(), q.stages(), out, offset, sliceStride);
    }

    /** The facts every method records: block quantizer and backend. */
    protected Map<String, String> baseInfo() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", config.method());
        m.put("backend", context.backend().name());
        m.put("bits", Integer.toString(config.quant().bits()));
        m.put("blockSize", Integer.toString(config.quant().blockSize()));
        m.put("symmetric", Boolean.toString(config.quant().symmetric()));
        m.put("scalePrecision", config.quant().scalePrecision().name());
        return m;
    }
}
