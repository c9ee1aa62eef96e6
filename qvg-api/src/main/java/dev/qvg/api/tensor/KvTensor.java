package dev.qvg.api.tensor;

import dev.qvg.api.Args;

/**
 * A float32 K or V tensor of logical shape {@code [B, H, S, D]} over a flat array in an explicit
 * {@link Layout}. The array is shared, not copied: a tensor is a view, and {@link #copy()} makes
 * an independent one. Kernels want BHSD (contiguous slices); {@link #toBhsd()} converts.
 */
public final class KvTensor {

    private final KvShape shape;
    private final Layout layout;
    private final float[] data;

    private KvTensor(KvShape shape, Layout layout, float[] data) {
        this.shape = Args.notNull(shape, "shape");
        this.layout = Args.notNull(layout, "layout");
        this.data = Args.notNull(data, "data");
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("tensor data: shape " + shape + " needs " + shape.numel()
                    + " floats, got " + data.length);
        }
    }

    /** Wraps {@code data} (not copied) as a tensor of the given shape and layout. */
    public static KvTensor wrap(KvShape shape, Layout layout, float[] data) {
        return new KvTensor(shape, layout, data);
    }

    /** A BHSD tensor over {@code data} (not copied). */
    public static KvTensor wrap(KvShape shape, float[] data) {
        return new KvTensor(shape, Layout.BHSD, data);
    }

    /** A zero-filled BHSD tensor. */
    public static KvTensor zeros(KvShape shape) {
        return new KvTensor(shape, Layout.BHSD, new float[shape.numel()]);
    }

    public KvShape shape() {
        return shape;
    }

    public Layout layout() {
        return layout;
    }

    /** The backing array in this tensor's layout (shared, not a copy). */
    public float[] data() {
        return data;
    }

    /** Flat index of logical element {@code (b, h, s, d)} in this tensor's layout. */
    public int index(int b, int h, int s, int d) {
        int B = shape.batch(), H = shape.heads(), S = shape.tokens(), D = shape.headDim();
        if (b < 0 || b >= B || h < 0 || h >= H || s < 0 || s >= S || d < 0 || d >= D) {
            throw new IndexOutOfBoundsException("index (" + b + ", " + h + ", " + s + ", " + d + ") outside " + shape);
        }
        return layout == Layout.BHSD
                ? ((b * H + h) * S + s) * D + d
                : ((b * S + s) * H + h) * D + d;
    }

    public float get(int b, int h, int s, int d) {
        return data[index(b, h, s, d)];
    }

    public void set(int b, int h, int s, int d, float v) {
        data[index(b, h, s, d)] = v;
    }

    /** This tensor in BHSD: itself when already BHSD, else a converted copy. */
    public KvTensor toBhsd() {
        return layout == Layout.BHSD ? this : toLayout(Layout.BHSD);
    }

    /** A copy in {@code target} layout (always a new array). */
    public KvTensor toLayout(Layout target) {
        int B = shape.batch(), H = shape.heads(), S = shape.tokens(), D = shape.headDim();
        float[] out = new float[data.length];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < H; h++) {
                for (int s = 0; s < S; s++) {
                    int src = layout == Layout.BHSD ? ((b * H + h) * S + s) * D : ((b * S + s) * H + h) * D;
                    int dst = target == Layout.BHSD ? ((b * H + h) * S + s) * D : ((b * S + s) * H + h) * D;
                    System.arraycopy(data, src, out, dst, D);
                }
            }
        }
        return new KvTensor(shape, target, out);
    }

    /** An independent copy in the same layout. */
    public KvTensor copy() {
        return new KvTensor(shape, layout, data.clone());
    }

    /**
     * Tokens {@code [from, to)} of every slice as a new BHSD tensor, for cache spans and
     * recent-token windows.
     */
    public KvTensor tokenRange(int from, int to) {
        if (from < 0 || to > shape.tokens() || from >= to) {
            throw new IllegalArgumentException("token range [" + from + ", " + to + ") is empty or outside 0.."
                    + shape.tokens());
        }
        KvTensor src = toBhsd();
        KvShape out = shape.withTokens(to - from);
        float[] o = new float[out.numel()];
        int D = shape.headDim();
        for (int i = 0; i < shape.slices(); i++) {
            System.arraycopy(src.data, (i * shape.tokens() + from) * D, o, i * out.sliceSize(), (to - from) * D);
        }
        return new KvTensor(out, Layout.BHSD, o);
    }

    /**
     * Throws {@link IllegalArgumentException} naming the first NaN or infinite element by its
     * logical index; quantizing a non-finite value would silently poison a whole block.
     */
    public KvTensor requireFinite(String what) {
        for (int i = 0; i < data.length; i++) {
            float v = data[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(what + ": non-finite value " + v + " at " + describeIndex(i)
                        + " of " + shape + " (" + layout + ")");
            }
        }
        return this;
    }

    private String describeIndex(int flat) {
        int D = shape.headDim(), S = shape.tokens(), H = shape.heads();
        int d = flat % D;
        int rest = flat / D;
        if (layout == Layout.BHSD) {
            int s = rest % S;
            rest /= S;
            return "(b=" + rest / H + ", h=" + rest % H + ", s=" + s + ", d=" + d + ")";
        }
        int h = rest % H;
        rest /= H;
        return "(b=" + rest / S + ", h=" + h + ", s=" + rest % S + ", d=" + d + ")";
    }

    @Override
    public String toString() {
        return "KvTensor" + shape + " " + layout;
    }
}
