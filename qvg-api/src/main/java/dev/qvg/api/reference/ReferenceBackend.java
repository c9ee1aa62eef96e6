package dev.qvg.api.reference;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;

/**
 * The executable specification of the {@link Backend} contract: {@link ReferenceKernels} and
 * {@link BlockCodec}, single-threaded. It is deliberately not registered with
 * {@code ServiceLoader}; unit tests of algorithms and the conformance kit construct it
 * directly. Use the {@code cpu} backend for real work.
 */
public final class ReferenceBackend implements Backend {

    private volatile boolean closed;

    private void open() {
        if (closed) {
            throw new IllegalStateException("backend 'reference' is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public void assign(SliceBatch batch, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                       boolean[] active) {
        open();
        ReferenceKernels.assign(batch, points, centroids, clusters, ids, changed, active);
    }

    @Override
    public void updateCentroids(SliceBatch batch, float[] points, int[] ids, int clusters, float[] centroids,
                                boolean[] active) {
        open();
        ReferenceKernels.updateCentroids(batch, points, ids, clusters, centroids, active);
    }

    @Override
    public void subtractCentroids(SliceBatch batch, float[] points, int[] ids, float[] centroids, int clusters) {
        open();
        ReferenceKernels.subtractCentroids(batch, points, ids, centroids, clusters);
    }

    @Override
    public void accumulateCentroids(SliceBatch batch, float[] out, int[] ids, float[] centroids, int clusters) {
        open();
        ReferenceKernels.accumulateCentroids(batch, out, ids, centroids, clusters);
    }

    @Override
    public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
        open();
        KernelArgs.checkQuantize(x, rows, cols, config);
        return BlockCodec.quantize(x, 0, rows, cols, config);
    }

    @Override
    public void unpackDequant(PackedBlocks blocks, float[] out) {
        open();
        KernelArgs.checkDequant(blocks, out);
        BlockCodec.dequantize(blocks, out, 0);
    }
}
