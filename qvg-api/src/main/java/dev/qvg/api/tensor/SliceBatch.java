package dev.qvg.api.tensor;

/**
 * What a kernel sees: {@code slices} independent row-major {@code [tokens, dim]} matrices laid
 * end to end in one float array (slice {@code i} starts at {@code i * tokens * dim}).
 *
 * <p>{@code firstSlice} says which slices of the whole tensor these are: slice {@code i} of the
 * batch is slice {@code firstSlice + i} of its tensor. It changes nothing but the random draws
 * ({@link #sliceSeed}), so that a tensor processed in parts, as a streamed compression does,
 * gives the same bits as the whole tensor at once.
 */
public record SliceBatch(int slices, int tokens, int dim, int firstSlice) {

    /** A batch that is a whole tensor (or the start of one). */
    public SliceBatch(int slices, int tokens, int dim) {
        this(slices, tokens, dim, 0);
    }

    public SliceBatch {
        if (firstSlice < 0) {
            throw new IllegalArgumentException("slice batch: firstSlice must not be negative, got " + firstSlice);
        }
        if (slices <= 0 || tokens <= 0 || dim <= 0) {
            throw new IllegalArgumentException("slice batch: slices, tokens and dim must be positive, got "
                    + slices + " x [" + tokens + ", " + dim + "]");
        }
        if ((long) slices * tokens * dim > KvShape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("slice batch " + slices + " x [" + tokens + ", " + dim
                    + "] is larger than a Java array can hold");
        }
    }

    /**
     * The seed of slice {@code i}'s own generator: {@code Seeds.derive(seed, firstSlice + i)},
     * independent of thread count, slice order and how the tensor was cut into batches.
     */
    public long sliceSeed(long seed, int i) {
        return dev.qvg.api.config.Seeds.derive(seed, (long) firstSlice + i);
    }

    /** Slices {@code [from, from + count)} of this batch, as a batch of their own. */
    public SliceBatch part(int from, int count) {
        if (from < 0 || count <= 0 || from + count > slices) {
            throw new IllegalArgumentException("slice batch part [" + from + ", " + (from + count) + ") is outside "
                    + this);
        }
        return new SliceBatch(count, tokens, dim, firstSlice + from);
    }

    public int rows() {
        return slices * tokens;
    }

    public int numel() {
        return slices * tokens * dim;
    }

    public int sliceSize() {
        return tokens * dim;
    }

    /** Checks that {@code array} holds exactly this batch, naming the argument otherwise. */
    public void requireLength(String name, float[] array, int perRow) {
        long expected = (long) rows() * perRow;
        if (array == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected " + expected + " floats for " + this
                    + ", got " + array.length);
        }
    }

    /** Checks an id array: one id per row. */
    public void requireIds(String name, int[] ids) {
        if (ids == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        if (ids.length != rows()) {
            throw new IllegalArgumentException(name + ": expected " + rows() + " ids for " + this + ", got " + ids.length);
        }
    }

    /** Checks a centroid array of {@code clusters} rows per slice. */
    public void requireCentroids(String name, float[] centroids, int clusters) {
        if (clusters <= 0) {
            throw new IllegalArgumentException("clusters must be positive, got " + clusters);
        }
        if (centroids == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        long expected = (long) slices * clusters * dim;
        if (centroids.length != expected) {
            throw new IllegalArgumentException(name + ": expected " + expected + " floats for " + slices + " x ["
                    + clusters + ", " + dim + "] centroids, got " + centroids.length);
        }
    }

    @Override
    public String toString() {
        return slices + " x [" + tokens + ", " + dim + "]" + (firstSlice == 0 ? "" : " from slice " + firstSlice);
    }
}
