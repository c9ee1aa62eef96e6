package dev.qvg.api.spi;

/**
 * Where each smoothing stage's k-means starts, asked once per stage, in stage order, with the
 * stage's input (the residual the stage before left), so a warm start can re-seed clusters from
 * it. A backend that keeps the span on a device copies the stage input to the host only when a
 * hook is given.
 */
@FunctionalInterface
public interface StageInit {

    /** {@code [slices, K, D]} initial centroids for stage {@code stage}, or {@code null} for a cold start. */
    float[] initialCentroids(int stage, float[] stageInput);
}
