package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvTensor;

/**
 * Attention-level error (spec section 10): how far {@code softmax(Q K^T / sqrt(D)) V} moves when
 * K and V are replaced by their reconstructions, as a relative L2 distance of the outputs.
 */
@FunctionalInterface
public interface AttentionProbe {

    /** All tensors BHSD with the same shape; returns {@code |O - O^| / |O|}. */
    double relL2(KvTensor keys, KvTensor values, KvTensor keysHat, KvTensor valuesHat);
}
