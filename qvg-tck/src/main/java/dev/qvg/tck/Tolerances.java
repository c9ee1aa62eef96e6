package dev.qvg.tck;

/**
 * Every tolerance the kit applies, in one place. Everything not listed here is compared bit for
 * bit: packed codes, scales and zero points, dequantized values, fused decode, centroid
 * subtraction and accumulation, and k-means ids away from near-ties.
 */
public final class Tolerances {

    private Tolerances() {
    }

    /**
     * Two squared distances are a <em>near-tie</em>, where a backend may pick either centroid,
     * when they differ by at most this fraction of {@code |x|^2 + |c_a|^2 + |c_b|^2} (computed in
     * double). Float32 evaluation of {@code |x|^2 - 2 x.c + |c|^2} in any summation order errs by
     * about {@code dim * 2^-24} of that sum; 2^-12 covers dims up to 4096 with margin, and is
     * still far too tight for TF32 or bf16 arithmetic.
     */
    public static final double NEAR_TIE_RELATIVE = 0x1p-12;

    /**
     * Updated centroid coordinates may differ from the reference (which sums in double) by this
     * fraction of the largest {@code |x|} of that coordinate among the cluster's rows: room for
     * float32 accumulation of a few thousand rows in any order.
     */
    public static final double CENTROID_RELATIVE = 1e-4;

    /**
     * A whole SAS/PRQ pipeline on the backend may differ from the same pipeline on the reference
     * backend in relative L2 reconstruction error by this fraction (either way): near-ties may send
     * k-means down a different path, which changes the error a little, never a lot.
     */
    public static final double PIPELINE_RELATIVE_ERROR = 0.05;

    /**
     * Fraction of k-means ids of a whole clustering run (from the same initial centroids, on well
     * separated blobs) that must equal the reference's.
     */
    public static final double CLUSTER_ID_AGREEMENT = 1.0;
}
