package dev.qvg.models.cache;

import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The K and V caches of every layer of a model, built alike: same shape and policy, one span
 * quantizer (or none for BF16), seeds derived per layer by each {@link StreamingKvCache}.
 */
public final class ModelKvCache {

    private final List<StreamingKvCache> keys;
    private final List<StreamingKvCache> values;

    /**
     * @param quantizer {@code null} for an all-BF16 cache
     */
    public ModelKvCache(int layers, CacheShape shape, CachePolicy policy, SpanQuantizer quantizer, long seed) {
        if (layers < 1) {
            throw new IllegalArgumentException("layers: must be at least 1, got " + layers);
        }
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(policy, "policy");
        List<StreamingKvCache> k = new ArrayList<>(), v = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            k.add(new StreamingKvCache(shape, policy, quantizer, KvRole.KEY, l, seed));
            v.add(new StreamingKvCache(shape, policy, quantizer, KvRole.VALUE, l, seed));
        }
        this.keys = List.copyOf(k);
        this.values = List.copyOf(v);
    }

    public int layers() {
        return keys.size();
    }

    public StreamingKvCache keys(int layer) {
        return keys.get(layer);
    }

    public StreamingKvCache values(int layer) {
        return values.get(layer);
    }

    /** Completes chunks before {@code endToken} in every layer's K and V. */
    public void commit(int endToken) {
        for (int l = 0; l < layers(); l++) {
            keys.get(l).commit(endToken);
            values.get(l).commit(endToken);
        }
    }

    /** Evicts {@code [fromToken, toToken)} in every layer's K and V. */
    public void evict(int fromToken, int toToken) {
        for (int l = 0; l < layers(); l++) {
            keys.get(l).evict(fromToken, toToken);
            values.get(l).evict(fromToken, toToken);
        }
    }

    /** Exact bytes held by all layers now. */
    public long bytes() {
        long b = 0;
        for (int l = 0; l < layers(); l++) {
            b += keys.get(l).bytes() + values.get(l).bytes();
        }
        return b;
    }

    /** Exact storage of all layers now, per component; {@code null} when empty. */
    public BitBudget budget() {
        BitBudget total = null;
        for (int l = 0; l < layers(); l++) {
            for (BitBudget b : new BitBudget[] {keys.get(l).budget(), values.get(l).budget()}) {
                if (b != null) {
                    total = total == null ? b : total.plus(b);
                }
            }
        }
        return total;
    }
}
