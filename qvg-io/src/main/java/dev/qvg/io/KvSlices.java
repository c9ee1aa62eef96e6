package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.util.Objects;

/**
 * A K or V tensor read a group of (batch, head) slices at a time, as BHSD float32, so a tool can
 * stream a tensor far larger than its heap: {@link MappedKvSlices} reads from a memory-mapped
 * file, {@link #of(KvTensor)} from memory.
 */
public interface KvSlices {

    /** The logical shape {@code [B, H, S, D]} of the whole tensor. */
    KvShape shape();

    /**
     * Puts slices {@code [first, first + count)} (in {@code batch * heads} order) into
     * {@code dst[0, count * S * D)} in BHSD order. A file-backed tensor refuses a non-finite
     * value (when its read limits require finite values) or a file that changed under it with a
     * {@link CorruptFileException} naming the file, the tensor and the element.
     */
    void read(int first, int count, float[] dst) throws IOException;

    /** A tensor already in memory (any layout; BSHD is gathered slice by slice). */
    static KvSlices of(KvTensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        return new KvSlices() {
            @Override
            public KvShape shape() {
                return tensor.shape();
            }

            @Override
            public void read(int first, int count, float[] dst) {
                KvShape s = tensor.shape();
                checkRange(s, first, count, dst);
                int S = s.tokens(), D = s.headDim(), H = s.heads();
                float[] src = tensor.data();
                if (tensor.layout() == Layout.BHSD) {
                    System.arraycopy(src, first * S * D, dst, 0, count * S * D);
                    return;
                }
                for (int i = 0; i < count; i++) {
                    int b = (first + i) / H, h = (first + i) % H;
                    for (int t = 0; t < S; t++) {
                        System.arraycopy(src, ((b * S + t) * H + h) * D, dst, (i * S + t) * D, D);
                    }
                }
            }
        };
    }

    /** Checks a {@link #read} request against the shape and the destination, naming what is wrong. */
    static void checkRange(KvShape shape, int first, int count, float[] dst) {
        Objects.requireNonNull(dst, "dst");
        if (first < 0 || count < 1 || (long) first + count > shape.slices()) {
            throw new IndexOutOfBoundsException("slices [" + first + ", " + ((long) first + count) + ") outside the "
                    + shape.slices() + " slices of " + shape);
        }
        if (dst.length < (long) count * shape.sliceSize()) {
            throw new IllegalArgumentException("dst holds " + dst.length + " floats, fewer than the "
                    + (long) count * shape.sliceSize() + " of " + count + " slices of " + shape);
        }
    }
}
