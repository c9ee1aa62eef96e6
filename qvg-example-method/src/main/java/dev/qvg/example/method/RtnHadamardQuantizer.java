package dev.qvg.example.method;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.FiniteScan;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code rtn-hadamard}: each token's head-dim vector {@code x} is rotated,
 * {@code x' = (1/sqrt(D)) H_D diag(s) x} ({@link RandomizedHadamard}), and {@code x'} is
 * block-quantized along D by the backend ({@code quantizePack} over {@code slices * tokens} rows
 * of D), exactly as plain {@code rtn} quantizes {@code x}. Decoding is the backend's
 * {@code unpackDequant} followed by the inverse rotation. A large outlier channel that would set
 * the scale of its whole block is spread over all D coordinates first, so the other values of the
 * block are no longer rounded to zero (QuaRot, Ashkboos et al. 2024).
 *
 * <p>The stored codes are rotated values, so every entry carries
 * {@link QuantizedKv#INFO_METHOD_DECODE}: the reference decoder and file readers refuse to decode
 * it without this method, instead of returning rotated values. The entry also records its
 * {@code rotation_seed}, and decoding uses the recorded seed. The input is never modified; a
 * NaN or infinity is refused naming its index; same input and config, same bits.
 */
final class RtnHadamardQuantizer implements Quantizer {

    private final QuantizerConfig config;
    private final QuantizerContext context;
    private final long seed;

    RtnHadamardQuantizer(QuantizerConfig config, QuantizerContext context) {
        this.config = Args.notNull(config, "config");
        this.context = Args.notNull(context, "context");
        this.seed = RtnHadamardProvider.ROTATION_SEED.intValue(config);
    }

    @Override
    public QuantizerConfig config() {
        return config;
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        return RtnHadamardProvider.budgetOf(config, shape, role);
    }

    @Override
    public QuantizedKv quantize(KvTensor x, KvRole role) {
        Args.notNull(x, "x");
        Args.notNull(role, "role");
        KvShape shape = x.shape();
        budget(shape, role); // head dim and block size refused before any work
        if (!FiniteScan.allParallel(x.data(), x.data().length)) {
            x.requireFinite("x"); // names the first bad value by (b, h, s, d)
        }
        int rows = shape.slices() * shape.tokens(), D = shape.headDim();
        float[] work = x.layout() == Layout.BHSD ? x.data().clone() : x.toBhsd().data();
        new RandomizedHadamard(D, seed).rotate(work, rows);
        PackedBlocks blocks = context.backend().quantizePack(work, rows, D, config.quant());
        return new QuantizedKv(shape, role, config.method(), Orientation.TOKEN_MAJOR, shape.tokens(), blocks, List.of(),
                new short[0], info());
    }

    /**
     * Every slice is rotated by the same matrix and quantized on its own, so slices
     * {@code [firstSlice, ...)} quantized as a part are exactly those slices of the whole.
     */
    @Override
    public QuantizedKv quantizeSlices(KvTensor x, KvRole role, int firstSlice) {
        if (firstSlice < 0) {
            throw new IllegalArgumentException("firstSlice: must not be negative, got " + firstSlice);
        }
        return quantize(x, role);
    }

    @Override
    public KvTensor dequantize(QuantizedKv q) {
        Args.notNull(q, "q");
        KvShape shape = q.shape();
        if (!q.method().equals(RtnHadamardProvider.NAME) || q.orientation() != Orientation.TOKEN_MAJOR
                || q.quantizedTokens() != shape.tokens() || !q.stages().isEmpty()) {
            throw new IllegalArgumentException("q: not an " + RtnHadamardProvider.NAME + " entry (method '" + q.method()
                    + "', " + q.orientation() + ", " + q.quantizedTokens() + " of " + shape.tokens()
                    + " tokens quantized, " + q.stages().size() + " stages)");
        }
        int rows = shape.slices() * shape.tokens();
        float[] out = new float[shape.numel()];
        context.backend().unpackDequant(q.blocks(), out);
        new RandomizedHadamard(shape.headDim(), seedOf(q)).unrotate(out, rows);
        return KvTensor.wrap(shape, out);
    }

    /** The seed the entry was rotated with (recorded in its info), else this config's. */
    private long seedOf(QuantizedKv q) {
        String s = q.info().get(RtnHadamardProvider.ROTATION_SEED.key());
        return s == null ? seed : (Integer) RtnHadamardProvider.ROTATION_SEED.value(Map.of(
                RtnHadamardProvider.ROTATION_SEED.key(), s));
    }

    private Map<String, String> info() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", config.method());
        m.put("backend", context.backend().name());
        m.put("bits", Integer.toString(config.quant().bits()));
        m.put("blockSize", Integer.toString(config.quant().blockSize()));
        m.put("symmetric", Boolean.toString(config.quant().symmetric()));
        m.put("scalePrecision", config.quant().scalePrecision().name());
        m.put(RtnHadamardProvider.ROTATION_SEED.key(), Long.toString(seed));
        m.put("rotation", "randomized-hadamard");
        m.put(QuantizedKv.INFO_METHOD_DECODE, "true");
        return m;
    }
}
