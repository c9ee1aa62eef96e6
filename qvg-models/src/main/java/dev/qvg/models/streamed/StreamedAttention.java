package dev.qvg.models.streamed;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.attention.AttentionMask;
import dev.qvg.models.attention.OffHeap;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention {@code softmax(Q K^T / sqrt(D)) V} over a history that is never materialised
 * (issue 11): the history is a list of parts (quantized spans, BF16 chunks) and only one part's
 * keys and values are decoded at a time. For each part and query row it computes the scores,
 * their maximum, and the partial numerator {@code sum_j exp(s_j - m) v_j} and denominator
 * {@code sum_j exp(s_j - m)}, and merges them into running accumulators by the log-sum-exp rule
 * (rescaling the old ones by {@code exp(m_old - m_new)}); the output is numerator over
 * denominator at the end. Masks, grouped key/value heads and error cases are those of
 * {@link dev.qvg.models.attention.Attention#sdpa}: key row {@code j} of the concatenated history
 * sits at position {@code mask.keyStart() + j}. The two products of a part run in ND4J
 * ({@code Nd4j.gemm}, transpose as a flag), the softmax pieces in float32 like the reference.
 *
 * <p>Memory: besides the inputs and the output, what lives at once is a copy of the queries,
 * the accumulators ({@code B x Hq x Sq x (D + 3)} values) and the buffers of one part
 * (its decoded keys and values, one slice of each for the products, and the {@code Sq x Sp}
 * scores). {@link Result#peakWorkingBytes()} adds up those buffers' actual sizes, so a test can
 * check that it does not grow with the history's length.
 */
public final class StreamedAttention {

    private StreamedAttention() {
    }

    /**
     * @param output           {@code [B, Hq, Sq, D]} BHSD
     * @param peakWorkingBytes the most bytes of working buffers alive at once (queries copy,
     *                         accumulators, one part's buffers)
     * @param largestPartBytes bytes of the largest part's decoded keys plus values
     */
    public record Result(KvTensor output, long peakWorkingBytes, long largestPartBytes) {
    }

    /**
     * Attention of {@code q} over tokens {@code [mask.keyStart(), keyEnd)} of a K and a V cache,
     * span by span ({@link CacheHistory}): the streamed counterpart of
     * {@code Attention.sdpa(q, keys, values, keyEnd, mask)}.
     */
    public static Result attend(KvTensor q, dev.qvg.models.cache.StreamingKvCache keys,
                                dev.qvg.models.cache.StreamingKvCache values, int keyEnd, AttentionMask mask) {
        Objects.requireNonNull(mask, "mask");
        return attend(q, CacheHistory.parts(keys, mask.keyStart(), keyEnd),
                CacheHistory.parts(values, mask.keyStart(), keyEnd), mask);
    }

    /**
     * @param q      queries {@code [B, Hq, Sq, D]}
     * @param keys   the key history, part by part
     * @param values the value history, with the same token count per part as {@code keys}
     */
    public static Result attend(KvTensor q, List<HistoryPart> keys, List<HistoryPart> values, AttentionMask mask) {
        Objects.requireNonNull(q, "q");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(mask, "mask");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("attention: the history holds no part");
        }
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException("attention: " + keys.size() + " key parts but " + values.size()
                    + " value parts");
        }
        int history = 0;
        for (int p = 0; p < keys.size(); p++) {
            if (keys.get(p).tokens() != values.get(p).tokens()) {
                throw new IllegalArgumentException("attention: part " + p + " holds " + keys.get(p).tokens()
                        + " key tokens but " + values.get(p).tokens() + " value tokens");
            }
            history += keys.get(p).tokens();
        }
        KvShape qs = q.shape();
        int B = qs.batch(), Hq = qs.heads(), Sq = qs.tokens(), D = qs.headDim();
        for (int i = 0; i < Sq; i++) {
            if (mask.visibleKeys(i, history) == 0) {
                throw new IllegalArgumentException("attention: query row " + i + " (position " + (mask.queryStart() + i)
                        + ") sees none of the " + history + " keys under " + mask);
            }
        }
        float[] qd = q.toBhsd().data();
        int rows = B * Hq * Sq;
        float[] acc = new float[rows * D];
        float[] max = new float[rows];
        double[] den = new double[rows];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        INDArray[] queries = new INDArray[B * Hq];
        for (int bh = 0; bh < B * Hq; bh++) {
            queries[bh] = OffHeap.matrix(qd, bh * Sq * D, Sq, D);
        }
        try {
            return attendParts(keys, values, mask, qs, queries, qd, acc, max, den);
        } finally {
            for (INDArray query : queries) {
                query.close();
            }
        }
    }

    /** The loop over the history's parts, then the normalisation, for {@link #attend}. */
    private static Result attendParts(List<HistoryPart> keys, List<HistoryPart> values, AttentionMask mask, KvShape qs,
                                      INDArray[] queries, float[] qd, float[] acc, float[] max, double[] den) {
        int Sq = qs.tokens(), D = qs.headDim(), rows = max.length;
        long fixedBytes = (long) qd.length * 4 + (long) acc.length * 4 + (long) max.length * 4 + (long) den.length * 8;
        long peakPart = 0, largestPart = 0;
        float scale = (float) (1.0 / Math.sqrt(D));
        int offset = 0;
        for (int p = 0; p < keys.size(); p++) {
            int Sp = keys.get(p).tokens();
            int firstVisibleRow = -1;
            for (int i = 0; i < Sq && firstVisibleRow < 0; i++) {
                if (mask.visibleKeys(i, offset + Sp) > offset) {
                    firstVisibleRow = i;
                }
            }
            if (firstVisibleRow < 0) {
                // No query sees this part (a causal mask ahead of it): it need not be decoded at all.
                offset += Sp;
                continue;
            }
            long[] sizes = attendPart(p, keys.get(p), values.get(p), qs, queries, acc, max, den, offset, scale, mask);
            peakPart = Math.max(peakPart, sizes[0]);
            largestPart = Math.max(largestPart, sizes[1]);
            offset += Sp;
        }
        for (int r = 0; r < rows; r++) {
            float inv = (float) (1.0 / den[r]);
            for (int d = 0; d < D; d++) {
                acc[r * D + d] *= inv;
            }
        }
        return new Result(KvTensor.wrap(qs, acc), fixedBytes + peakPart, largestPart);
    }

    /**
     * Decodes part {@code p}, folds it into the accumulators and returns {@code {working buffer
     * bytes, decoded part bytes}}. A method of its own so that the part's buffers are garbage as
     * soon as it returns, before the next part is decoded.
     */
    private static long[] attendPart(int p, HistoryPart keyPart, HistoryPart valuePart, KvShape qs, INDArray[] queries,
                                     float[] acc, float[] max, double[] den, int offset, float scale,
                                     AttentionMask mask) {
        int Sp = keyPart.tokens();
        int B = qs.batch(), Hq = qs.heads(), Sq = qs.tokens(), D = qs.headDim();
        KvTensor kp = keyPart.decode(), vp = valuePart.decode();
        KvShape ks = kp.shape();
        checkPart(p, qs, ks, vp.shape(), Sp);
        int Hkv = ks.heads(), group = Hq / Hkv;
        float[] kd = kp.data(), vd = vp.data();
        float[] scores = new float[Sq * Sp], probs = new float[Sq * Sp], o = new float[Sq * D];
        float[] correction = new float[Sq];
        long partBytes = (long) kd.length * 4 + (long) vd.length * 4;
        // one K and one V slice (ND4J copies); at most three score-sized arrays at once (the scores in
        // ND4J and on the heap, then those on the heap, probs and their ND4J copy); P·V (ND4J and heap)
        long buffers = partBytes + 2L * Sp * D * 4 + 3L * Sq * Sp * 4 + 2L * Sq * D * 4 + (long) Sq * 4;
        for (int b = 0; b < B; b++) {
            for (int hk = 0; hk < Hkv; hk++) {
                int kvOff = (b * Hkv + hk) * Sp * D;
                // Closed as soon as used (see OffHeap).
                try (INDArray K = OffHeap.matrix(kd, kvOff, Sp, D); INDArray V = OffHeap.matrix(vd, kvOff, Sp, D)) {
                    for (int g = 0; g < group; g++) {
                        int bh = b * Hq + hk * group + g;
                        try (INDArray S = Nd4j.gemm(queries[bh], K, false, true)) {
                            OffHeap.copyOut(S, scores, 0);
                        }
                        partialSoftmax(scores, probs, correction, max, den, bh * Sq, Sq, Sp, offset, scale, mask);
                        try (INDArray P = OffHeap.matrix(probs, 0, Sq, Sp); INDArray O = Nd4j.gemm(P, V, false, false)) {
                            OffHeap.copyOut(O, o, 0);
                        }
                        for (int i = 0; i < Sq; i++) {
                            int at = (bh * Sq + i) * D;
                            float c = correction[i];
                            for (int d = 0; d < D; d++) {
                                acc[at + d] = acc[at + d] * c + o[i * D + d];
                            }
                        }
                    }
                }
            }
        }
        return new long[] {buffers, partBytes};
    }

    private static void checkPart(int p, KvShape qs, KvShape ks, KvShape vs, int promised) {
        if (!ks.equals(vs)) {
            throw new IllegalArgumentException("attention: part " + p + " keys " + ks + " and values " + vs + " differ");
        }
        if (ks.tokens() != promised) {
            throw new IllegalArgumentException("attention: part " + p + " decoded " + ks.tokens() + " tokens, promised "
                    + promised);
        }
        if (qs.batch() != ks.batch() || qs.headDim() != ks.headDim()) {
            throw new IllegalArgumentException("attention: queries " + qs + " do not match part " + p + " keys " + ks
                    + " in batch or head dim");
        }
        if (qs.heads() % ks.heads() != 0) {
            throw new IllegalArgumentException("attention: " + qs.heads() + " query heads are not a multiple of "
                    + ks.heads() + " key/value heads (part " + p + ")");
        }
    }

    /**
     * For each query row: the part's visible scores, the new running maximum, the factor the old
     * accumulators are rescaled by ({@code correction}), the new denominator, and the unnormalised
     * probabilities {@code exp(s * scale - m_new)} (0 where masked) for the P·V product.
     */
    private static void partialSoftmax(float[] s, float[] p, float[] correction, float[] max, double[] den, int row0,
                                       int Sq, int Sp, int offset, float scale, AttentionMask mask) {
        for (int i = 0; i < Sq; i++) {
            int visible = Math.max(0, Math.min(Sp, mask.visibleKeys(i, offset + Sp) - offset));
            int base = i * Sp, r = row0 + i;
            if (visible == 0) {
                Arrays.fill(p, base, base + Sp, 0f);
                correction[i] = 1f;
                continue;
            }
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < visible; j++) {
                m = Math.max(m, s[base + j] * scale);
            }
            float mNew = Math.max(max[r], m);
            float c = max[r] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(max[r] - mNew);
            double sum = 0;
            for (int j = 0; j < visible; j++) {
                float e = (float) Math.exp(s[base + j] * scale - mNew);
                p[base + j] = e;
                sum += e;
            }
            Arrays.fill(p, base + visible, base + Sp, 0f);
            den[r] = den[r] * c + sum;
            max[r] = mNew;
            correction[i] = c;
        }
    }
}
