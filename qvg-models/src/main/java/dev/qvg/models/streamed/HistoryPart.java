package dev.qvg.models.streamed;

import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One consecutive run of history tokens that {@link StreamedAttention} decodes on its own, when
 * it reaches it, and drops before the next: a quantized span, a BF16 chunk, or anything that can
 * produce its float32 values on demand. {@link #decode()} may be called more than once and must
 * give the same values each time.
 */
public interface HistoryPart {

    /** Tokens this part covers. */
    int tokens();

    /**
     * The part's values, float32 BHSD {@code [B, H, tokens(), D]}. Callers only read it (a dense
     * part hands out its own tensor), and drop it before asking the next part.
     */
    KvTensor decode();

    /** A quantized span, decoded by the quantizer that encoded it. */
    static HistoryPart quantized(QuantizedKv code, Quantizer quantizer) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(quantizer, "quantizer");
        return of(code.shape().tokens(), () -> quantizer.dequantize(code).toBhsd());
    }

    /** BF16 values of {@code shape} (BHSD bit patterns), widened exactly to float32. */
    static HistoryPart bf16(KvShape shape, short[] bits) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(bits, "bits");
        if (bits.length != shape.numel()) {
            throw new IllegalArgumentException("bits: " + shape + " holds " + shape.numel() + " values, got "
                    + bits.length);
        }
        return of(shape.tokens(), () -> {
            float[] f = new float[bits.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = Bf16.toFloat(bits[i]);
            }
            return KvTensor.wrap(shape, f);
        });
    }

    /** Float32 values already in memory (a test's reference, or a chunk still being written). */
    static HistoryPart dense(KvTensor values) {
        Objects.requireNonNull(values, "values");
        return of(values.shape().tokens(), values::toBhsd);
    }

    /** {@code tokens} tokens produced by {@code decoder} when needed. */
    static HistoryPart of(int tokens, Supplier<KvTensor> decoder) {
        Objects.requireNonNull(decoder, "decoder");
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens: a history part must hold at least one token, got " + tokens);
        }
        return new HistoryPart() {
            @Override
            public int tokens() {
                return tokens;
            }

            @Override
            public KvTensor decode() {
                KvTensor t = decoder.get();
                if (t.shape().tokens() != tokens) {
                    throw new IllegalStateException("history part: decoded " + t.shape().tokens() + " tokens, promised "
                            + tokens);
                }
                return t;
            }
        };
    }
}
