package dev.qvg.models.streamed;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.attention.AttentionMask;
import dev.qvg.models.attention.OffHeap;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
 * ({@code Nd4j.gemm}, transpose as a flag), and so do the softmax pieces (scale, mask, row maxima,
 * {@code exp}, row sums), in float32; only per-row values come back to the Java heap.
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
        float[] o = new float[Sq * D], correction = new float[Sq], shift = new float[Sq];
        int[] visible = new int[Sq];
        for (int i = 0; i < Sq; i++) {
            visible[i] = Math.max(0, Math.min(Sp, mask.visibleKeys(i, offset + Sp) - offset));
        }
        long partBytes = (long) kd.length * 4 + (long) vd.length * 4;
        // one K and one V slice (ND4J copies), the Sq x Sp scores (ND4J only), P·V (ND4J and heap),
        // and four per-row vectors (visible counts, row maxima, shifts, corrections)
        long buffers = partBytes + 2L * Sp * D * 4 + (long) Sq * Sp * 4 + 2L * Sq * D * 4 + 4L * Sq * 4;
        for (int b = 0; b < B; b++) {
            for (int hk = 0; hk < Hkv; hk++) {
                int kvOff = (b * Hkv + hk) * Sp * D;
                // Off-heap memory comes from reused workspaces (see OffHeap).
                try (MemoryWorkspace kvScope = OffHeap.scope(OffHeap.KV)) {
                    INDArray K = OffHeap.matrix(kd, kvOff, Sp, D), V = OffHeap.matrix(vd, kvOff, Sp, D);
                    for (int g = 0; g < group; g++) {
                        int bh = b * Hq + hk * group + g;
                        try (MemoryWorkspace headScope = OffHeap.scope(OffHeap.HEAD)) {
                            // exp(s * scale - m_new) in place, in native code; the scores never come
                            // to the Java heap, only per-row maxima and sums do.
                            INDArray P = OffHeap.uninitialized(Sq, Sp);
                            Nd4j.gemm(queries[bh], K, P, false, true, scale, 0.0);
                            OffHeap.maskFrom(P, visible);
                            rescale(P.max(1).toFloatVector(), visible, max, bh * Sq, shift, correction);
                            P.subiColumnVector(OffHeap.matrix(shift, 0, Sq, 1));
                            Transforms.exp(P, false);
                            float[] rowSum = P.sum(1).toFloatVector();
                            for (int i = 0; i < Sq; i++) {
                                int r = bh * Sq + i;
                                den[r] = den[r] * correction[i] + rowSum[i];
                            }
                            INDArray O = OffHeap.uninitialized(Sq, D);
                            Nd4j.gemm(P, V, O, false, false, 1.0, 0.0);
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
     * For each query row of one head, given the part's row maxima of the scaled, masked scores:
     * the new running maximum, what to subtract before {@code exp} ({@code shift}) and the factor
     * the old accumulators are rescaled by ({@code correction}). A row that sees none of the part
     * keeps its maximum and accumulators (its scores are all minus infinity and any finite shift
     * gives them weight 0).
     */
    private static void rescale(float[] rowMax, int[] visible, float[] max, int row0, float[] shift, float[] correction) {
        for (int i = 0; i < visible.length; i++) {
            int r = row0 + i;
            if (visible[i] == 0) {
                shift[i] = 0f;
                correction[i] = 1f;
                continue;
            }
            float mNew = Math.max(max[r], rowMax[i]);
            correction[i] = max[r] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(max[r] - mNew);
            shift[i] = mNew;
            max[r] = mNew;
        }
    }
}
