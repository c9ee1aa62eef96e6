package dev.qvg.api.tensor;

/**
 * What a kernel sees: {@code slices} independent row-major {@code [tokens, dim]} matrices laid
 * end to end in one float array (slice {@code i} starts at {@code i * tokens * dim}).
 */
public record SliceBatch(int slices, int tokens, int dim) {

    public SliceBatch {
        if (slices <= 0 || tokens <= 0 || dim <= 0) {
            throw new IllegalArgumentException("slice batch: slices, tokens and dim must be positive, got "
                    + slices + " x [" + tokens + ", " + dim + "]");
        }
        if ((long) slices * tokens * dim > KvShape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("slice batch " + slices + " x [" + tokens + ", " + dim
                    + "] is larger than a Java array can hold");
        }
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
        return slices + " x [" + tokens + ", " + dim + "]";
    }
}
