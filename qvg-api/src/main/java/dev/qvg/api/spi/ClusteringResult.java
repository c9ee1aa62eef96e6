package dev.qvg.api.spi;

/**
 * What k-means returns for a slice batch: float32 centroids {@code [slices, K, D]} from the last
 * update, the last assignment {@code [slices, S]}, and the iterations each slice used.
 */
public record ClusteringResult(float[] centroids, int[] ids, int[] iterations) {
}
