package dev.qvg.api.quant;

import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;

/**
 * Reconstructs any {@link QuantizedKv} with plain loops, independent of backends: the
 * definition a backend's fused decode is checked against, and the decoder file readers use.
 * Stage centroids are added in stage order after the block dequantization, in float32.
 */
public final class ReferenceDecoder {

    private ReferenceDecoder() {
    }

    /**
     * @throws IllegalArgumentException when the entry's method transforms values before coding
     *         ({@link QuantizedKv#needsMethodDecoder()}): its own quantizer must decode it
     */
    public static KvTensor decode(QuantizedKv q) {
        if (q.needsMethodDecoder()) {
            throw new IllegalArgumentException("an entry of method '" + q.method() + "' stores transformed values that"
                    + " only that method decodes: put the jar that provides method '" + q.method()
                    + "' on the class path");
        }
        KvShape shape = q.shape();
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim(), Sq = q.quantizedTokens();
        float[] out = new float[shape.numel()];
        if (Sq > 0) {
            float[] deq = new float[q.blocks().rows() * q.blocks().cols()];
            BlockCodec.dequantize(q.blocks(), deq, 0);
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < Sq; s++) {
                    for (int d = 0; d < D; d++) {
                        float v = q.orientation() == Orientation.TOKEN_MAJOR
                                ? deq[(i * Sq + s) * D + d]
                                : deq[(i * D + d) * Sq + s];
                        out[(i * S + s) * D + d] = v;
                    }
                }
            }
            for (ClusterStage st : q.stages()) {
                int K = st.clusters();
                for (int i = 0; i < n; i++) {
                    for (int s = 0; s < Sq; s++) {
                        int c = st.ids()[i * Sq + s];
                        int cBase = (i * K + c) * D;
                        int o = (i * S + s) * D;
                        for (int d = 0; d < D; d++) {
                            out[o + d] += Bf16.toFloat(st.centroids()[cBase + d]);
                        }
                    }
                }
            }
        }
        int tail = S - Sq;
        short[] t = q.fullPrecisionTail();
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < tail; s++) {
                for (int d = 0; d < D; d++) {
                    out[(i * S + Sq + s) * D + d] = Bf16.toFloat(t[(i * tail + s) * D + d]);
                }
            }
        }
        return KvTensor.wrap(shape, out);
    }
}
