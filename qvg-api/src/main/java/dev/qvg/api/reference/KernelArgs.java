package dev.qvg.api.reference;

import dev.qvg.api.tensor.SliceBatch;

/**
 * The argument checks of the backend contract, shared by every backend so that bad input gets
 * the same exception type and the same parameter names everywhere (the conformance kit checks
 * this). All checks run before anything is written.
 */
public final class KernelArgs {

    private KernelArgs() {
    }

    public static void checkAssign(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids,
                                   int[] changed, boolean[] active) {
        b.requireLength("points", points, b.dim());
        b.requireCentroids("centroids", centroids, clusters);
        b.requireIds("ids", ids);
        if (changed == null || changed.length != b.slices()) {
            throw new IllegalArgumentException("changed: expected one count per slice (" + b.slices() + "), got "
                    + (changed == null ? "null" : changed.length));
        }
        checkActive(b, active);
    }

    public static void checkUpdate(SliceBatch b, float[] points, int[] ids, int clusters, float[] centroids,
                                   boolean[] active) {
        b.requireLength("points", points, b.dim());
        b.requireCentroids("centroids", centroids, clusters);
        b.requireIds("ids", ids);
        checkIdRange(b, ids, clusters, active);
        checkActive(b, active);
    }

    /** For subtract/accumulate: a row array, ids in range, centroids of the right size. */
    public static void checkRows(SliceBatch b, String rowsName, float[] rows, int[] ids, float[] centroids, int clusters) {
        b.requireLength(rowsName, rows, b.dim());
        checkCentroidsAndIds(b, ids, centroids, clusters);
    }

    /** The centroid and id checks of {@link #checkRows}, for a caller whose rows are checked otherwise. */
    public static void checkCentroidsAndIds(SliceBatch b, int[] ids, float[] centroids, int clusters) {
        b.requireCentroids("centroids", centroids, clusters);
        b.requireIds("ids", ids);
        checkIdRange(b, ids, clusters, null);
    }

    private static void checkActive(SliceBatch b, boolean[] active) {
        if (active != null && active.length != b.slices()) {
            throw new IllegalArgumentException("active: expected one flag per slice (" + b.slices() + "), got "
                    + active.length);
        }
    }

    private static void checkIdRange(SliceBatch b, int[] ids, int clusters, boolean[] active) {
        int S = b.tokens();
        for (int i = 0; i < ids.length; i++) {
            if (active != null && !active[i / S]) {
                continue;
            }
            if (ids[i] < 0 || ids[i] >= clusters) {
                throw new IllegalArgumentException("ids: id " + ids[i] + " of row " + i + " is outside [0, " + clusters + ")");
            }
        }
    }

    /** For quantizePack: the matrix fits the array and the row is a whole number of blocks. */
    public static void checkQuantize(float[] x, int rows, int cols, dev.qvg.api.config.BlockQuantConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config: must not be null");
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("rows/cols: must be positive, got [" + rows + ", " + cols + "]");
        }
        config.requireDivides(cols);
        if (x == null || x.length != (long) rows * cols) {
            throw new IllegalArgumentException("x: expected " + (long) rows * cols + " floats for [" + rows + ", " + cols
                    + "], got " + (x == null ? "null" : x.length));
        }
    }

    /** For unpackDequant: the output holds exactly the unpacked matrix. */
    public static void checkDequant(dev.qvg.api.quant.PackedBlocks blocks, float[] out) {
        if (blocks == null) {
            throw new IllegalArgumentException("blocks: must not be null");
        }
        if (out == null || out.length != (long) blocks.rows() * blocks.cols()) {
            throw new IllegalArgumentException("out: expected " + (long) blocks.rows() * blocks.cols() + " floats, got "
                    + (out == null ? "null" : out.length));
        }
    }

    /**
     * Checks a strided destination for {@code blocks}' {@code slices} slices of {@code tokens}
     * rows: slice {@code i} goes to {@code out[offset + i * sliceStride ...]}, {@code tokens * cols}
     * floats, and the slices must not overlap.
     */
    public static void checkDequantInto(dev.qvg.api.quant.PackedBlocks blocks, int slices, float[] out, int offset,
                                        int sliceStride) {
        if (blocks == null) {
            throw new IllegalArgumentException("blocks: must not be null");
        }
        if (out == null) {
            throw new IllegalArgumentException("out: must not be null");
        }
        if (slices <= 0 || blocks.rows() % slices != 0) {
            throw new IllegalArgumentException("slices: " + slices + " does not divide the " + blocks.rows() + " rows");
        }
        checkSlicesFit(slices, (long) (blocks.rows() / slices) * blocks.cols(), out, offset, sliceStride);
    }

    /**
     * {@code slices} runs of {@code perSlice} floats at {@code out[offset + i * sliceStride]} fit in
     * {@code out} without overlapping; the shared check of every strided decode.
     */
    public static void checkSlicesFit(int slices, long perSlice, float[] out, int offset, int sliceStride) {
        if (out == null) {
            throw new IllegalArgumentException("out: must not be null");
        }
        if (offset < 0 || (slices > 1 && sliceStride < perSlice)) {
            throw new IllegalArgumentException("out: offset " + offset + " and slice stride " + sliceStride
                    + " must be non-negative and leave " + perSlice + " floats per slice");
        }
        long end = offset + (long) (slices - 1) * sliceStride + perSlice;
        if (end > out.length) {
            throw new IllegalArgumentException("out: expected at least " + end + " floats for offset " + offset
                    + " and slice stride " + sliceStride + ", got " + out.length);
        }
    }
}
