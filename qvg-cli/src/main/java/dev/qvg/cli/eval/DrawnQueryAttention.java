package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.attention.AttentionError;
import dev.qvg.models.attention.AttentionMask;
import java.util.Objects;

/**
 * Attention-level error with qvg-models' attention: queries are either given (a tensor of shape
 * {@code [B, H, n, D]}) or drawn per slice from the keys' per-channel Gaussian (seeded), attend
 * to all keys without a mask, and the outputs with quantized K and V are compared with the
 * outputs with the original K and V.
 */
public final class DrawnQueryAttention implements AttentionProbe {

    private final KvTensor queries;
    private final int count;
    private final long seed;

    private DrawnQueryAttention(KvTensor queries, int count, long seed) {
        this.queries = queries;
        this.count = count;
        this.seed = seed;
    }

    /** {@code n} queries per slice drawn from each key tensor's distribution with {@code seed}. */
    public static DrawnQueryAttention drawn(int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("queries: must be at least 1, got " + n);
        }
        return new DrawnQueryAttention(null, n, seed);
    }

    /** The given queries for every pair (their batch, heads and head dim must match the keys'). */
    public static DrawnQueryAttention given(KvTensor queries) {
        return new DrawnQueryAttention(Objects.requireNonNull(queries, "queries").toBhsd(), queries.shape().tokens(), 0);
    }

    @Override
    public double relL2(KvTensor keys, KvTensor values, KvTensor keysHat, KvTensor valuesHat) {
        KvTensor q = queries;
        if (q == null) {
            q = AttentionError.drawQueries(keys, count, seed);
        } else if (q.shape().batch() != keys.shape().batch() || q.shape().heads() != keys.shape().heads()
                || q.shape().headDim() != keys.shape().headDim()) {
            throw new IllegalArgumentException("queries: shape " + q.shape() + " does not match keys " + keys.shape()
                    + " in batch, heads and head dim");
        }
        return AttentionError.of(q, keys, values, keysHat, valuesHat, AttentionMask.none());
    }
}
