package dev.qvg.api.spi;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;

/**
 * The kernels of the method, on one device. Every operation works on a {@link SliceBatch}:
 * {@code slices} independent {@code [tokens, dim]} matrices laid end to end; centroids are
 * {@code [slices, clusters, dim]} and ids {@code [slices, tokens]}.
 *
 * <p>Two granularities:
 * <ul>
 *   <li><b>Coarse operations</b>, what pipelines call: {@link #cluster} (a whole k-means of a
 *       slice batch) and {@link #encodeSpan} (every PRQ stage plus the final block quantization of
 *       a span), and {@link #decode}. A device backend overrides them to upload a span once, keep
 *       it resident through every iteration and stage, and download only the codes.</li>
 *   <li><b>Fine kernels</b> ({@link #assign}, {@link #updateCentroids}, {@link #subtractCentroids},
 *       {@link #accumulateCentroids}, {@link #quantizePack}, {@link #unpackDequant}): what a
 *       backend must implement. The coarse operations' defaults are composed from them
 *       ({@link dev.qvg.api.reference.LloydKMeans}, {@link dev.qvg.api.reference.SpanEncoding}),
 *       so a backend that implements only these works unchanged.</li>
 * </ul>
 * An override of a coarse operation must give the same bits as its default on the same backend
 * (the conformance kit runs both).
 *
 * <p>Contract (checked by the conformance kit):
 * <ol>
 *   <li>Results equal the reference: block codes and scales bit for bit with
 *       {@link dev.qvg.api.quant.BlockCodec}; dequantized values exactly; k-means ids equal except
 *       on distance ties within float round-off; centroids within float tolerance.</li>
 *   <li>Bad arguments (wrong lengths, ids out of range, mismatched shapes) throw
 *       {@link IllegalArgumentException} naming the parameter; nothing is written first.</li>
 *   <li>Calls on one instance may come from several threads one at a time; an instance is not
 *       required to be safe for concurrent calls unless its provider lists the
 *       {@code thread-safe} capability.</li>
 *   <li>{@link #close()} releases device memory; using a closed backend throws
 *       {@link IllegalStateException}.</li>
 * </ol>
 */
public interface Backend extends AutoCloseable {

    /** The provider name this backend was created by. */
    String name();

    /**
     * Assigns every row of each active slice to its nearest centroid by squared Euclidean
     * distance {@code |x|^2 - 2 x.c + |c|^2}, ties to the lowest index, writing {@code ids}.
     * {@code changed[i]} receives how many ids of slice {@code i} differ from what {@code ids}
     * held before (a negative previous id counts as changed).
     *
     * @param active which slices to process ({@code null} = all); inactive slices' ids and
     *               {@code changed} entries are left untouched
     */
    void assign(SliceBatch batch, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                boolean[] active);

    /**
     * Replaces each centroid of an active slice by the mean of the rows assigned to it; a
     * centroid with no rows keeps its value.
     */
    void updateCentroids(SliceBatch batch, float[] points, int[] ids, int clusters, float[] centroids,
                         boolean[] active);

    /** {@code points[row] -= centroids[ids[row]]} for every row, in place (the SAS residual). */
    void subtractCentroids(SliceBatch batch, float[] points, int[] ids, float[] centroids, int clusters);

    /** {@code out[row] += centroids[ids[row]]} for every row (reconstruction). */
    void accumulateCentroids(SliceBatch batch, float[] out, int[] ids, float[] centroids, int clusters);

    /**
     * Coarse: the whole k-means of every slice (spec section 3): initialisation (unless
     * {@code initialCentroids} is given; slice {@code i} draws from
     * {@code batch.sliceSeed(config.seed(), i)}), every iteration with its per-slice stop, the
     * last assignment. The result is what {@link dev.qvg.api.reference.LloydKMeans#run} computes
     * from this backend's {@link #assign} and {@link #updateCentroids}: the default.
     *
     * @param initialCentroids {@code [slices, K, D]} to start from, or {@code null}; not modified
     * @throws IllegalArgumentException on a wrong length or a non-finite point or centroid, before any work
     */
    default ClusteringResult cluster(SliceBatch batch, float[] points, KMeansConfig config, float[] initialCentroids) {
        return dev.qvg.api.reference.LloydKMeans.run(this, batch, points, config, initialCentroids);
    }

    /**
     * Coarse: encodes a span as {@code plan} says (spec sections 3-6): {@code plan.stages()}
     * smoothing stages, each clustering what the previous left and subtracting its stored (bf16)
     * centroids, then the block quantization of the final residual. {@code x} (token-major) is the
     * caller's work copy: on return it holds the final residual. The result is what
     * {@link dev.qvg.api.reference.SpanEncoding#compose} computes from this backend's operations:
     * the default.
     *
     * @throws IllegalArgumentException on bad arguments (a block size that does not divide the
     *                                  dimension, a non-finite value), before any work
     */
    default ResidualCode encodeSpan(SliceBatch batch, float[] x, SpanPlan plan) {
        return dev.qvg.api.reference.SpanEncoding.compose(this, batch, x, plan);
    }

    /** Block-quantizes and packs a row-major {@code [rows, cols]} matrix (spec section 6). */
    PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config);

    /** Unpacks and dequantizes all of {@code blocks} into {@code out} ({@code rows * cols} floats). */
    void unpackDequant(PackedBlocks blocks, float[] out);

    /**
     * Fused reconstruction of token-major blocks plus stage centroids:
     * {@code out = dequant(blocks) + sum_s C_s[id_s]}. The default composes the two kernels;
     * a device backend overrides it with one pass (the operation every cache read calls).
     */
    default void decode(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[] out) {
        dev.qvg.api.Args.notNull(stages, "stages");
        unpackDequant(blocks, out);
        for (ClusterStage st : stages) {
            accumulateCentroids(batch, out, st.ids(), st.centroidsAsFloat(), st.clusters());
        }
    }

    /**
     * {@link #decode} into part of a larger array: slice {@code i} of {@code batch} goes to
     * {@code out[offset + i * sliceStride ...]} ({@code tokens * dim} floats each) and nothing else
     * of {@code out} is written. A cache decodes each span straight into the history it returns
     * this way. The default decodes into a new array and copies; a backend that can write in place
     * overrides it. Bad arguments: see {@link dev.qvg.api.reference.KernelArgs#checkDequantInto}.
     */
    default void decodeInto(SliceBatch batch, PackedBlocks blocks, List<ClusterStage> stages, float[] out, int offset,
                            int sliceStride) {
        dev.qvg.api.Args.notNull(batch, "batch");
        dev.qvg.api.reference.KernelArgs.checkDequantInto(blocks, batch.slices(), out, offset, sliceStride);
        float[] all = new float[batch.numel()];
        decode(batch, blocks, stages, all);
        int perSlice = batch.tokens() * batch.dim();
        for (int i = 0; i < batch.slices(); i++) {
            System.arraycopy(all, i * perSlice, out, offset + i * sliceStride, perSlice);
        }
    }

    /** Releases device resources. Idempotent. */
    @Override
    default void close() {
    }
}
