package dev.qvg.models.attention;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Attention-level error (spec section 10): the relative L2 distance {@code |O - O^| / |O|} of
 * attention outputs computed with quantized K and V against the same with the reference K and V.
 */
public final class AttentionError {

    private AttentionError() {
    }

    /** Relative L2 of {@code approx} against {@code reference} (same length). */
    public static double relativeL2(float[] reference, float[] approx) {
        if (reference.length != approx.length) {
            throw new IllegalArgumentException("relativeL2: lengths differ, " + reference.length + " vs "
                    + approx.length);
        }
        double num = 0, den = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = (double) reference[i] - approx[i];
            num += d * d;
            den += (double) reference[i] * reference[i];
        }
        if (den == 0) {
            throw new IllegalArgumentException("relativeL2: the reference is all zeros");
        }
        return Math.sqrt(num / den);
    }

    /** Relative L2 of attention over ({@code kQuant}, {@code vQuant}) against ({@code kRef}, {@code vRef}). */
    public static double of(KvTensor q, KvTensor kRef, KvTensor vRef, KvTensor kQuant, KvTensor vQuant,
                            AttentionMask mask) {
        KvTensor ref = Attention.sdpa(q, kRef, vRef, mask);
        KvTensor approx = Attention.sdpa(q, kQuant, vQuant, mask);
        return relativeL2(ref.data(), approx.data());
    }

    /**
     * {@code n} queries per slice drawn from the keys' distribution: independent Gaussians with
     * each channel's mean and standard deviation over that slice's keys (seeded).
     */
    public static KvTensor drawQueries(KvTensor keys, int n, long seed) {
        Objects.requireNonNull(keys, "keys");
        if (n < 1) {
            throw new IllegalArgumentException("queries: n must be positive, got " + n);
        }
        KvTensor k = keys.toBhsd();
        KvShape s = k.shape();
        int S = s.tokens(), D = s.headDim();
        KvShape out = s.withTokens(n);
        float[] q = new float[out.numel()];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < s.slices(); i++) {
            double[] mean = new double[D], sq = new double[D];
            for (int t = 0; t < S; t++) {
                for (int d = 0; d < D; d++) {
                    double x = k.data()[(i * S + t) * D + d];
                    mean[d] += x;
                    sq[d] += x * x;
                }
            }
            for (int d = 0; d < D; d++) {
                mean[d] /= S;
                sq[d] = Math.sqrt(Math.max(0, sq[d] / S - mean[d] * mean[d]));
            }
            for (int t = 0; t < n; t++) {
                for (int d = 0; d < D; d++) {
                    q[(i * n + t) * D + d] = (float) (mean[d] + sq[d] * gaussian(r));
                }
            }
        }
        return KvTensor.wrap(out, q);
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
