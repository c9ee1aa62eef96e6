package dev.qvg.models.attention;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.cache.StreamingKvCache;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Scaled dot-product attention {@code softmax(Q K^T / sqrt(D)) V}, multi-head, with grouped
 * key/value heads allowed (query head {@code h} reads KV head {@code h / (Hq / Hkv)}), and an
 * optional causal or chunk mask. The two matrix products run in ND4J ({@code Nd4j.gemm} with
 * the transpose as a flag, the fast path; see engineering notes), and so does the softmax (scaled
 * scores, masked keys set to minus infinity, ND4J's row-wise softmax with the row maximum
 * subtracted), so the score matrix stays off the Java heap. A query row that sees no key is an
 * error, not a row of NaN.
 */
public final class Attention {

    private Attention() {
    }

    /**
     * @param q    queries {@code [B, Hq, Sq, D]}
     * @param k    keys {@code [B, Hkv, Sk, D]}
     * @param v    values {@code [B, Hkv, Sk, D]}
     * @return     outputs {@code [B, Hq, Sq, D]} (BHSD)
     */
    public static KvTensor sdpa(KvTensor q, KvTensor k, KvTensor v, AttentionMask mask) {
        Objects.requireNonNull(q, "q");
        Objects.requireNonNull(k, "k");
        Objects.requireNonNull(v, "v");
        Objects.requireNonNull(mask, "mask");
        KvShape qs = q.shape(), ks = k.shape();
        if (!ks.equals(v.shape())) {
            throw new IllegalArgumentException("attention: keys " + ks + " and values " + v.shape() + " differ");
        }
        if (qs.batch() != ks.batch() || qs.headDim() != ks.headDim()) {
            throw new IllegalArgumentException("attention: queries " + qs + " do not match keys " + ks
                    + " in batch or head dim");
        }
        if (qs.heads() % ks.heads() != 0) {
            throw new IllegalArgumentException("attention: " + qs.heads() + " query heads are not a multiple of "
                    + ks.heads() + " key/value heads");
        }
        int B = qs.batch(), Hq = qs.heads(), Hkv = ks.heads(), Sq = qs.tokens(), Sk = ks.tokens(), D = qs.headDim();
        int group = Hq / Hkv;
        for (int i = 0; i < Sq; i++) {
            if (mask.visibleKeys(i, Sk) == 0) {
                throw new IllegalArgumentException("attention: query row " + i + " (position " + (mask.queryStart() + i)
                        + ") sees none of the " + Sk + " keys under " + mask);
            }
        }
        float[] qd = q.toBhsd().data(), kd = k.toBhsd().data(), vd = v.toBhsd().data();
        float[] out = new float[qs.numel()];
        float scale = (float) (1.0 / Math.sqrt(D));
        for (int b = 0; b < B; b++) {
            for (int hk = 0; hk < Hkv; hk++) {
                int kvOff = (b * Hkv + hk) * Sk * D;
                // Every off-heap array is closed as soon as it is used (see OffHeap).
                try (INDArray K = OffHeap.matrix(kd, kvOff, Sk, D); INDArray V = OffHeap.matrix(vd, kvOff, Sk, D)) {
                    for (int g = 0; g < group; g++) {
                        int qOff = (b * Hq + hk * group + g) * Sq * D;
                        try (INDArray Q = OffHeap.matrix(qd, qOff, Sq, D); INDArray P = Nd4j.gemm(Q, K, false, true)) {
                            P.muli(scale);
                            maskOut(P, Sq, Sk, mask);
                            // Row-wise max-subtracted softmax in native code: the score matrix never
                            // comes back to the Java heap (at Sk = 65536 it is 128 MB per head).
                            Transforms.softmax(P, false);
                            try (INDArray O = Nd4j.gemm(P, V, false, false)) {
                                OffHeap.copyOut(O, out, qOff);
                            }
                        }
                    }
                }
            }
        }
        return KvTensor.wrap(qs, out);
    }

    /** Attention of {@code q} over tokens {@code [0, keyEnd)} read from a K and a V cache. */
    public static KvTensor sdpa(KvTensor q, StreamingKvCache keys, StreamingKvCache values, int keyEnd,
                                AttentionMask mask) {
        return sdpa(q, keys.read(mask.keyStart(), keyEnd), values.read(mask.keyStart(), keyEnd), mask);
    }

    /**
     * Sets the scores of keys a row may not see to minus infinity, which the softmax turns into
     * weight 0. Masks are prefixes (row i sees keys {@code [0, visibleKeys(i))}), so consecutive
     * rows with the same cut share one assignment.
     */
    private static void maskOut(INDArray scores, int rows, int cols, AttentionMask mask) {
        for (int i = 0; i < rows; ) {
            int visible = mask.visibleKeys(i, cols), end = i + 1;
            while (end < rows && mask.visibleKeys(end, cols) == visible) {
                end++;
            }
            if (visible < cols) {
                scores.get(NDArrayIndex.interval(i, end), NDArrayIndex.interval(visible, cols))
                        .assign(Float.NEGATIVE_INFINITY);
            }
            i = end;
        }
    }
}
