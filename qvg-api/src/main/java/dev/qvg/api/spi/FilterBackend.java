package dev.qvg.api.spi;

import dev.qvg.api.Args;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.tensor.SliceBatch;

/**
 * A backend that passes every fine kernel, and {@link #close()}, to another one (as Lucene's
 * {@code FilterCodec} does): subclass it to change one kernel (instrument it, fault it, fix it)
 * and keep the rest. The coarse operations ({@link #cluster}, {@link #encodeSpan}, {@link #decode},
 * {@link #decodeInto}) keep the SPI's defaults, composed from this backend's kernels, so an
 * overridden kernel takes effect in them too.
 */
public abstract class FilterBackend implements Backend {

    protected final Backend delegate;

    protected FilterBackend(Backend delegate) {
        this.delegate = Args.notNull(delegate, "delegate");
    }

    @Override
    public void assign(SliceBatch batch, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                       boolean[] active) {
        delegate.assign(batch, points, centroids, clusters, ids, changed, active);
    }

    @Override
    public void updateCentroids(SliceBatch batch, float[] points, int[] ids, int clusters, float[] centroids,
                                boolean[] active) {
        delegate.updateCentroids(batch, points, ids, clusters, centroids, active);
    }

    @Override
    public void subtractCentroids(SliceBatch batch, float[] points, int[] ids, float[] centroids, int clusters) {
        delegate.subtractCentroids(batch, points, ids, centroids, clusters);
    }

    @Override
    public void accumulateCentroids(SliceBatch batch, float[] out, int[] ids, float[] centroids, int clusters) {
        delegate.accumulateCentroids(batch, out, ids, centroids, clusters);
    }

    @Override
    public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
        return delegate.quantizePack(x, rows, cols, config);
    }

    @Override
    public void unpackDequant(PackedBlocks blocks, float[] out) {
        delegate.unpackDequant(blocks, out);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
