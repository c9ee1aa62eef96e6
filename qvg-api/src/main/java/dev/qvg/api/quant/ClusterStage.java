package dev.qvg.api.quant;

import dev.qvg.api.Args;
import dev.qvg.api.tensor.Bf16;

/**
 * One semantic-aware smoothing stage as stored: per slice, {@code clusters} centroids of
 * {@code dim} values in bfloat16 and one id per token. {@code iterations[i]} is how many
 * k-means iterations slice {@code i} used (diagnostic, not part of the reconstruction).
 * The arrays are owned by this value; callers must not modify them.
 *
 * @param centroids bf16 bit patterns, {@code [slices, clusters, dim]}
 * @param ids       {@code [slices, tokens]}, each in {@code [0, clusters)}
 */
public record ClusterStage(int slices, int tokens, int dim, int clusters, short[] centroids, int[] ids, int[] iterations) {

    public ClusterStage {
        Args.notNull(centroids, "centroids");
        Args.notNull(ids, "ids");
        Args.notNull(iterations, "iterations");
        if (slices <= 0 || tokens <= 0 || dim <= 0 || clusters <= 0) {
            throw new IllegalArgumentException("cluster stage: slices, tokens, dim and clusters must be positive");
        }
        if (centroids.length != (long) slices * clusters * dim) {
            throw new IllegalArgumentException("cluster stage: centroids must hold " + (long) slices * clusters * dim
                    + " values, got " + centroids.length);
        }
        if (ids.length != (long) slices * tokens) {
            throw new IllegalArgumentException("cluster stage: ids must hold " + (long) slices * tokens + " values, got "
                    + ids.length);
        }
        if (iterations.length != slices) {
            throw new IllegalArgumentException("cluster stage: iterations must hold one count per slice (" + slices
                    + "), got " + iterations.length);
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= clusters) {
                throw new IllegalArgumentException("cluster stage: id " + ids[i] + " at token " + i % tokens + " of slice "
                        + i / tokens + " is outside [0, " + clusters + ")");
            }
        }
    }

    /** Builds a stage from float32 centroids, rounding them to the stored bf16. */
    public static ClusterStage ofFloatCentroids(int slices, int tokens, int dim, int clusters, float[] centroids,
                                                int[] ids, int[] iterations) {
        short[] bf = new short[centroids.length];
        for (int i = 0; i < bf.length; i++) {
            bf[i] = Bf16.fromFloat(centroids[i]);
        }
        return new ClusterStage(slices, tokens, dim, clusters, bf, ids, iterations);
    }

    /** The stored centroids as float32 (exact bf16 values). */
    public float[] centroidsAsFloat() {
        float[] f = new float[centroids.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = Bf16.toFloat(centroids[i]);
        }
        return f;
    }

    /** Bits per stored id: 8 up to 256 clusters, else 16. */
    public int idBits() {
        return clusters <= 256 ? 8 : 16;
    }

    public long idStorageBits() {
        return (long) ids.length * idBits();
    }

    public long centroidStorageBits() {
        return (long) centroids.length * 16;
    }
}
