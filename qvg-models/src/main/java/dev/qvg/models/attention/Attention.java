package dev.qvg.models.attention;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.cache.StreamingKvCache;
import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
        int[] visible = new int[Sq];
        for (int i = 0; i < Sq; i++) {
            visible[i] = mask.visibleKeys(i, Sk);
            if (visible[i] == 0) {
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
                // Off-heap memory comes from reused workspaces (see OffHeap).
                try (MemoryWorkspace kvScope = OffHeap.scope(OffHeap.KV)) {
                    INDArray K = OffHeap.matrix(kd, kvOff, Sk, D), V = OffHeap.matrix(vd, kvOff, Sk, D);
                    for (int g = 0; g < group; g++) {
                        int qOff = (b * Hq + hk * group + g) * Sq * D;
                        try (MemoryWorkspace headScope = OffHeap.scope(OffHeap.HEAD)) {
                            INDArray P = OffHeap.uninitialized(Sq, Sk);
                            Nd4j.gemm(OffHeap.matrix(qd, qOff, Sq, D), K, P, false, true, scale, 0.0);
                            OffHeap.maskFrom(P, visible);
                            // Row-wise max-subtracted softmax in native code: the score matrix never
                            // comes back to the Java heap (at Sk = 65536 it is 128 MB per head).
                            Transforms.softmax(P, false);
                            INDArray O = OffHeap.uninitialized(Sq, D);
                            Nd4j.gemm(P, V, O, false, false, 1.0, 0.0);
                            OffHeap.copyOut(O, out, qOff);
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
}
