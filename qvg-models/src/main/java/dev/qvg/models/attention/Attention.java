package dev.qvg.models.attention;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.cache.StreamingKvCache;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention {@code softmax(Q K^T / sqrt(D)) V}, multi-head, with grouped
 * key/value heads allowed (query head {@code h} reads KV head {@code h / (Hq / Hkv)}), and an
 * optional causal or chunk mask. The two matrix products run in ND4J ({@code Nd4j.gemm} with
 * the transpose as a flag, the fast path; see engineering notes); the masked softmax runs in
 * Java, in float32 with the row maximum subtracted. A query row that sees no key is an error,
 * not a row of NaN.
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
        float[] scores = new float[Sq * Sk];
        for (int b = 0; b < B; b++) {
            for (int hk = 0; hk < Hkv; hk++) {
                int kvOff = (b * Hkv + hk) * Sk * D;
                INDArray K = slice(kd, kvOff, Sk, D);
                INDArray V = slice(vd, kvOff, Sk, D);
                for (int g = 0; g < group; g++) {
                    int h = hk * group + g;
                    int qOff = (b * Hq + h) * Sq * D;
                    INDArray Q = slice(qd, qOff, Sq, D);
                    INDArray S = Nd4j.gemm(Q, K, false, true);
                    float[] s = S.data().asFloat();
                    softmaxRows(s, scores, Sq, Sk, scale, mask);
                    INDArray P = Nd4j.create(scores, new long[] {Sq, Sk}, 'c');
                    INDArray O = Nd4j.gemm(P, V, false, false);
                    System.arraycopy(O.data().asFloat(), 0, out, qOff, Sq * D);
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

    private static INDArray slice(float[] data, int offset, int rows, int cols) {
        float[] part = new float[rows * cols];
        System.arraycopy(data, offset, part, 0, part.length);
        return Nd4j.create(part, new long[] {rows, cols}, 'c');
    }

    private static void softmaxRows(float[] s, float[] p, int rows, int cols, float scale, AttentionMask mask) {
        for (int i = 0; i < rows; i++) {
            int visible = mask.visibleKeys(i, cols);
            int base = i * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < visible; j++) {
                max = Math.max(max, s[base + j] * scale);
            }
            double sum = 0;
            for (int j = 0; j < visible; j++) {
                float e = (float) Math.exp(s[base + j] * scale - max);
                p[base + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < visible; j++) {
                p[base + j] *= inv;
            }
            for (int j = visible; j < cols; j++) {
                p[base + j] = 0f;
            }
        }
    }
}
