package dev.qvg.cpu;

import dev.qvg.api.reference.ReferenceKernels;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Nearest-centroid assignment with the {@code x.c} products from a register-tiled SIMD kernel
 * (JDK Vector API, fused multiply-adds), made exactly equal to the reference by
 * {@link CertifiedArgmin}: ids equal {@link ReferenceKernels#assign}'s, ties included.
 *
 * <p>The tile: 4 rows times 4 vectors of centroids (64 on 512-bit vectors), 16 accumulators in
 * registers; per dimension 4 vector loads of {@link CentroidPanels} and 4 broadcasts feed 16
 * FMAs. Measured on this project's 2-core machine: about 100 GFLOP/s on one core at
 * {@code [29640, 128] x [128, 256]}, more than OpenBLAS's SGEMM gives on both cores, with no
 * GEMM output buffer: the 4 rows' distances stay in a {@code 4 x K} scratch in L1 while their
 * arg-min is taken. One call runs on one thread, so slices run side by side without fighting
 * over cores.
 *
 * <p>Called only through {@link VectorKernelCalls} (the JIT must compile it on its own).
 */
final class VectorAssign {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorAssign() {
    }

    /** Centroids per vector: the panel width {@link CentroidPanels} must be built with. */
    static int lanes() {
        return F.length();
    }

    /**
     * Assigns rows {@code [from, to)} (absolute) of {@code points} to the centroids
     * {@code centroids[cBase ..]} (also loaded in {@code panels}) and returns how many ids changed.
     *
     * @param scratch   at least {@link #scratchLength} floats
     * @param rowNorms  {@code |x_row|^2} at {@code rowNorms[row - normsBase]} ({@link #rowNorms})
     */
    static int assignRows(float[] points, int dim, CentroidPanels panels, float[] centroids, int cBase, int from,
                          int to, int[] ids, float[] scratch, float[] rowNorms, int normsBase) {
        int K = panels.clusters, Kp = panels.padded;
        int changed = 0;
        if (!panels.finite) {
            // An overflowed norm voids the error bound: score every row the reference way.
            for (int row = from; row < to; row++) {
                int best = ReferenceKernels.nearest(points, row * dim, centroids, cBase, K, dim);
                changed += ids[row] != best ? 1 : 0;
                ids[row] = best;
            }
            return changed;
        }
        int tailAt = 4 * Kp;
        int row = from;
        for (; row + 4 <= to; row += 4) {
            int nb = row - normsBase;
            dots4(points, row * dim, dim, panels.panels, Kp, scratch, panels.norms, rowNorms[nb], rowNorms[nb + 1],
                    rowNorms[nb + 2], rowNorms[nb + 3]);
            for (int r = 0; r < 4; r++) {
                changed += decide(points, row + r, dim, panels, centroids, cBase, scratch, r * Kp, ids,
                        rowNorms[row + r - normsBase]);
            }
        }
        if (row < to) {
            int n = to - row;
            System.arraycopy(points, row * dim, scratch, tailAt, n * dim);
            Arrays.fill(scratch, tailAt + n * dim, tailAt + 4 * dim, 0f);
            int nb = row - normsBase;
            dots4(scratch, tailAt, dim, panels.panels, Kp, scratch, panels.norms, rowNorms[nb],
                    n > 1 ? rowNorms[nb + 1] : 0f, n > 2 ? rowNorms[nb + 2] : 0f, 0f);
            for (int r = 0; r < n; r++) {
                changed += decide(points, row + r, dim, panels, centroids, cBase, scratch, r * Kp, ids,
                        rowNorms[row + r - normsBase]);
            }
        }
        return changed;
    }

    /**
     * Row {@code row}'s id from {@link #scan}: the only candidate, or the reference's choice among
     * several, or (window not finite: NaN or overflow) the reference's own scan. The rare cases
     * are decided here, in scalar code, so that a first near-tie deoptimises only this small method
     * and never the vector code.
     */
    private static int decide(float[] points, int row, int D, CentroidPanels panels, float[] centroids, int cBase,
                              float[] g, int gAt, int[] ids, float xx) {
        long s = scan(xx, D, panels.norms, panels.padded, panels.maxNorm, g, gAt);
        float limit = Float.intBitsToFloat((int) (s >>> 32));
        int count = (int) (s >>> 16) & 0xFFFF, first = (int) s & 0xFFFF;
        int best;
        if (!Float.isFinite(limit)) {
            best = ReferenceKernels.nearest(points, row * D, centroids, cBase, panels.clusters, D);
        } else if (count == 1) {
            best = first;
        } else {
            best = CertifiedArgmin.rescore(points, row * D, D, centroids, cBase, panels.clusters, g, gAt, limit);
        }
        int changed = ids[row] != best ? 1 : 0;
        ids[row] = best;
        return changed;
    }

    /**
     * {@code out[outAt + r] = |x_r|^2} for rows {@code [from, to)}, in vector order (any order
     * is within the certified window's round-off budget, see {@link CertifiedArgmin}). A row's
     * norm does not change between iterations: computed once per slice.
     */
    static void rowNorms(float[] points, int D, int from, int to, float[] out, int outAt) {
        int L = F.length();
        for (int row = from; row < to; row++) {
            int xAt = row * D;
            FloatVector sq = FloatVector.zero(F);
            int d = 0;
            for (; d + L <= D; d += L) {
                FloatVector v = FloatVector.fromArray(F, points, xAt + d);
                sq = v.fma(v, sq);
            }
            float xx = sq.reduceLanes(VectorOperators.ADD);
            for (; d < D; d++) {
                xx += points[xAt + d] * points[xAt + d];
            }
            out[outAt + row - from] = xx;
        }
    }

    /** Scratch floats {@link #assignRows} needs: 4 rows of distances plus 4 padded rows. */
    static int scratchLength(CentroidPanels panels) {
        return 4 * panels.padded + 4 * panels.dim;
    }

    /**
     * {@code out[r * Kp + k] = xx_r - 2 x_r . c_k + |c_k|^2} for 4 rows starting at {@code x[x0]}
     * and every padded centroid (padding: +infinity).
     */
    private static void dots4(float[] x, int x0, int D, float[] ct, int Kp, float[] out, float[] norms, float xx0,
                              float xx1, float xx2, float xx3) {
        int L = F.length();
        int x1 = x0 + D, x2 = x1 + D, x3 = x2 + D;
        int panelStride = D * L;
        for (int k0 = 0; k0 < Kp; k0 += 4 * L) {
            FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            int c0 = (k0 / L) * panelStride, c1 = c0 + panelStride, c2 = c1 + panelStride, c3 = c2 + panelStride;
            for (int d = 0; d < D; d++) {
                int o = d * L;
                FloatVector b0 = FloatVector.fromArray(F, ct, c0 + o);
                FloatVector b1 = FloatVector.fromArray(F, ct, c1 + o);
                FloatVector b2 = FloatVector.fromArray(F, ct, c2 + o);
                FloatVector b3 = FloatVector.fromArray(F, ct, c3 + o);
                FloatVector v = FloatVector.broadcast(F, x[x0 + d]);
                a00 = v.fma(b0, a00);
                a01 = v.fma(b1, a01);
                a02 = v.fma(b2, a02);
                a03 = v.fma(b3, a03);
                v = FloatVector.broadcast(F, x[x1 + d]);
                a10 = v.fma(b0, a10);
                a11 = v.fma(b1, a11);
                a12 = v.fma(b2, a12);
                a13 = v.fma(b3, a13);
                v = FloatVector.broadcast(F, x[x2 + d]);
                a20 = v.fma(b0, a20);
                a21 = v.fma(b1, a21);
                a22 = v.fma(b2, a22);
                a23 = v.fma(b3, a23);
                v = FloatVector.broadcast(F, x[x3 + d]);
                a30 = v.fma(b0, a30);
                a31 = v.fma(b1, a31);
                a32 = v.fma(b2, a32);
                a33 = v.fma(b3, a33);
            }
            // Distances xx - 2 x.c + |c|^2 straight from the accumulators (one FMA and one add each).
            FloatVector m2 = FloatVector.broadcast(F, -2f);
            FloatVector n0 = FloatVector.fromArray(F, norms, k0), n1 = FloatVector.fromArray(F, norms, k0 + L);
            FloatVector n2 = FloatVector.fromArray(F, norms, k0 + 2 * L), n3 = FloatVector.fromArray(F, norms, k0 + 3 * L);
            FloatVector xv = FloatVector.broadcast(F, xx0);
            int o = k0;
            a00.fma(m2, xv).add(n0).intoArray(out, o);
            a01.fma(m2, xv).add(n1).intoArray(out, o + L);
            a02.fma(m2, xv).add(n2).intoArray(out, o + 2 * L);
            a03.fma(m2, xv).add(n3).intoArray(out, o + 3 * L);
            o += Kp;
            xv = FloatVector.broadcast(F, xx1);
            a10.fma(m2, xv).add(n0).intoArray(out, o);
            a11.fma(m2, xv).add(n1).intoArray(out, o + L);
            a12.fma(m2, xv).add(n2).intoArray(out, o + 2 * L);
            a13.fma(m2, xv).add(n3).intoArray(out, o + 3 * L);
            o += Kp;
            xv = FloatVector.broadcast(F, xx2);
            a20.fma(m2, xv).add(n0).intoArray(out, o);
            a21.fma(m2, xv).add(n1).intoArray(out, o + L);
            a22.fma(m2, xv).add(n2).intoArray(out, o + 2 * L);
            a23.fma(m2, xv).add(n3).intoArray(out, o + 3 * L);
            o += Kp;
            xv = FloatVector.broadcast(F, xx3);
            a30.fma(m2, xv).add(n0).intoArray(out, o);
            a31.fma(m2, xv).add(n1).intoArray(out, o + L);
            a32.fma(m2, xv).add(n2).intoArray(out, o + 2 * L);
            a33.fma(m2, xv).add(n3).intoArray(out, o + 3 * L);
        }
    }

    /**
     * From a row's distances at {@code g[gAt ..]} ({@link #dots4}), finds the certified window {@code limit = min + 2 bound} and the clusters inside
     * it. Returns {@code limit}'s bits (high 32), the candidate count capped at 2 (bits 16-31) and
     * the first candidate (low 16; clusters are at most 65536). Only loops and data-dependent
     * branches that go both ways: nothing for the JIT to trap on.
     */
    private static long scan(float xx, int D, float[] norms, int Kp, float maxNorm, float[] g, int gAt) {
        int L = F.length();
        FloatVector min = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
        for (int k = 0; k < Kp; k += L) {
            min = min.min(FloatVector.fromArray(F, g, gAt + k));
        }
        float limit = min.reduceLanes(VectorOperators.MIN) + 2f * CertifiedArgmin.bound(xx, maxNorm, D);
        // Usually one vector holds the only candidate: test each vector's mask for any lane first.
        int count = 0, first = 0;
        for (int k = 0; k < Kp; k += L) {
            VectorMask<Float> m = FloatVector.fromArray(F, g, gAt + k).compare(VectorOperators.LE, limit);
            if (m.anyTrue()) {
                first = count == 0 ? k + m.firstTrue() : first;
                count += m.trueCount();
            }
        }
        return ((long) Float.floatToRawIntBits(limit) << 32) | ((long) Math.min(count, 2) << 16) | (first & 0xFFFF);
    }
}
