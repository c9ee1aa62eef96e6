package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A float tensor of a {@code .safetensors} or {@code .npy} file read slice group by slice group
 * through memory mapping. Only the bytes of the requested slices are mapped, in windows of at
 * most 64 MiB that are unmapped before the next: mapped file pages count in a process's resident
 * memory while they are mapped, so this bounds what reading adds to it whatever the file's size.
 *
 * <p>BHSD groups are one contiguous byte range. A BSHD group ({@code [B, S, H, D]} on disk) is
 * gathered token row by token row: each group maps the rows of its batch again, so a BSHD file
 * is read {@code heads / perGroup} times (from the page cache when it fits there).
 *
 * <p>Refusals are {@link CorruptFileException}s naming the file and the tensor: a non-finite
 * value (when the read limits require finite values) with its {@code (b, h, s, d)} index, and a
 * file that was truncated while it was read ("changed while it was read") instead of the JVM's
 * {@code InternalError} for a mapped page past the end of the file.
 */
public final class MappedKvSlices implements KvSlices, AutoCloseable {

    /** Largest mapping at a time: 64 MiB, a multiple of every element width. */
    static final long WINDOW = 64L << 20;

    private final Path path;
    private final String part;
    private final FileChannel channel;
    private final boolean ownsChannel;
    private final long dataStart;
    private final long dataEnd;
    private final DType dtype;
    private final Layout layout;
    private final KvShape shape;
    private final boolean requireFinite;
    private final long window;

    MappedKvSlices(Path path, String part, FileChannel channel, boolean ownsChannel, long dataStart, DType dtype,
                   Layout layout, KvShape shape, boolean requireFinite, long window) {
        this.path = path;
        this.part = part;
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.dataStart = dataStart;
        this.dataEnd = dataStart + (long) shape.numel() * dtype.size();
        this.dtype = dtype;
        this.layout = layout;
        this.shape = shape;
        this.requireFinite = requireFinite;
        this.window = window;
    }

    /**
     * Tensor {@code name} of an open safetensors file, read through the reader's channel (close
     * the reader when done). The shape follows {@link KvShapes} in {@code layout}.
     */
    static MappedKvSlices of(SafeTensorsReader reader, String name, Layout layout, ReadLimits limits)
            throws CorruptFileException {
        TensorInfo t = reader.info(name);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + reader.path() + " is " + t.dtype()
                    + ", not a floating-point tensor (F32, F16, BF16)");
        }
        KvShape shape;
        try {
            shape = KvShapes.fromDims(t.shape(), layout);
        } catch (IllegalArgumentException e) {
            throw CorruptFileException.of(reader.path(), "tensor '" + name + "'", e);
        }
        return new MappedKvSlices(reader.path(), "tensor '" + name + "'", reader.channel(), false,
                reader.dataStart() + t.begin(), t.dtype(), layout, shape, limits.requireFinite(), WINDOW);
    }

    /** The tensor of an {@code .npy} file (float32 or float16, C order); owns its file until closed. */
    public static MappedKvSlices npy(Path path, Layout layout, ReadLimits limits) throws IOException {
        Objects.requireNonNull(layout, "layout");
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            Npy.Header h = Npy.readHeader(path, ch, limits);
            KvShape shape;
            try {
                shape = KvShapes.fromDims(h.shape(), layout);
            } catch (IllegalArgumentException e) {
                throw CorruptFileException.of(path, "npy data", e);
            }
            return new MappedKvSlices(path, "npy data", ch, true, h.dataOffset(), h.dtype(), layout, shape,
                    limits.requireFinite(), WINDOW);
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            throw e;
        }
    }

    /** This reader with another window size (tests: small windows exercise window boundaries). */
    MappedKvSlices withWindow(long bytes) {
        if (bytes < dtype.size() || bytes % dtype.size() != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of " + dtype.size() + ", got " + bytes);
        }
        return new MappedKvSlices(path, part, channel, false, dataStart, dtype, layout, shape, requireFinite, bytes);
    }

    @Override
    public KvShape shape() {
        return shape;
    }

    /** The element type on disk. */
    public DType dtype() {
        return dtype;
    }

    /** The axis order on disk. */
    public Layout layout() {
        return layout;
    }

    public Path path() {
        return path;
    }

    @Override
    public void read(int first, int count, float[] dst) throws IOException {
        KvSlices.checkRange(shape, first, count, dst);
        if (!channel.isOpen()) {
            throw new IllegalStateException("reader of " + path + " is closed");
        }
        try {
            if (layout == Layout.BHSD || shape.heads() == 1) {
                long perSlice = shape.sliceSize();
                readRange(first * perSlice, count * perSlice, dst);
            } else {
                readBshd(first, count, dst);
            }
        } catch (InternalError e) {
            // A mapped page past the end of a file truncated since it was opened (SIGBUS in the JVM).
            throw changed(e);
        }
        if (requireFinite) {
            requireFinite(first, count, dst);
        }
    }

    /** Elements {@code [from, from + n)} in file order into {@code dst[0, n)}. */
    private void readRange(long from, long n, float[] dst) throws IOException {
        int es = dtype.size();
        long done = 0;
        while (done < n) {
            long chunk = Math.min(window / es, n - done);
            MappedByteBuffer buf = map(dataStart + (from + done) * es, chunk * es);
            try {
                convert(buf, 0, (int) chunk, dst, (int) done);
            } finally {
                Unmapper.unmap(buf);
            }
            done += chunk;
        }
    }

    /** BSHD on disk: for each batch the group touches, its heads' rows token by token. */
    private void readBshd(int first, int count, float[] dst) throws IOException {
        int H = shape.heads(), S = shape.tokens(), D = shape.headDim(), es = dtype.size();
        long rowBytes = (long) H * D * es;
        int end = first + count;
        for (int b = first / H; b * H < end; b++) {
            int h0 = Math.max(first, b * H) - b * H;
            int h1 = Math.min(end, (b + 1) * H) - b * H;
            long span = (long) (h1 - h0) * D * es;
            int rows = (int) Math.max(1, Math.min(S, (window - span) / rowBytes + 1));
            for (int t0 = 0; t0 < S; t0 += rows) {
                int n = Math.min(rows, S - t0);
                long start = dataStart + (((long) b * S + t0) * H + h0) * D * es;
                MappedByteBuffer buf = map(start, (n - 1) * rowBytes + span);
                try {
                    for (int t = 0; t < n; t++) {
                        for (int h = h0; h < h1; h++) {
                            int slice = b * H + h - first;
                            convert(buf, (int) (t * rowBytes + (long) (h - h0) * D * es), D, dst,
                                    (slice * S + t0 + t) * D);
                        }
                    }
                } finally {
                    Unmapper.unmap(buf);
                }
            }
        }
    }

    private MappedByteBuffer map(long position, long bytes) throws IOException {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(path + ": " + part + ": one token row of " + bytes
                    + " bytes is too large to map; store the tensor as BHSD");
        }
        MappedByteBuffer buf = MappedReads.map(path, part, channel, position, bytes, dataEnd);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        return buf;
    }

    /** {@code n} elements at byte {@code byteOffset} of {@code buf} into {@code dst[dstOff...]} as float32. */
    private void convert(MappedByteBuffer buf, int byteOffset, int n, float[] dst, int dstOff) {
        switch (dtype) {
            case F32 -> {
                FloatBuffer f = buf.slice(byteOffset, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                f.get(dst, dstOff, n);
            }
            case BF16, F16 -> {
                // Bulk copies into a small array, then a plain loop: twice as fast as getShort per element.
                ShortBuffer src = buf.slice(byteOffset, n * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
                short[] tmp = new short[Math.min(n, 8192)];
                for (int done = 0; done < n; done += tmp.length) {
                    int m = Math.min(tmp.length, n - done);
                    src.get(tmp, 0, m);
                    int o = dstOff + done;
                    if (dtype == DType.BF16) {
                        for (int i = 0; i < m; i++) {
                            dst[o + i] = Float.intBitsToFloat((tmp[i] & 0xFFFF) << 16);
                        }
                    } else {
                        for (int i = 0; i < m; i++) {
                            dst[o + i] = Half.toFloat(tmp[i]);
                        }
                    }
                }
            }
            default -> throw new IllegalStateException("not a float dtype: " + dtype);
        }
    }

    private void requireFinite(int first, int count, float[] dst) throws CorruptFileException {
        int n = count * shape.sliceSize();
        // The common case, all finite, is found on every core (a group is tens of MB); only a
        // failing group is scanned again in order, to name its first bad value.
        if (dev.qvg.api.tensor.FiniteScan.allParallel(dst, n)) {
            return;
        }
        for (int k = 0; k < n; k++) {
            if (!Float.isFinite(dst[k])) {
                int S = shape.tokens(), D = shape.headDim(), H = shape.heads();
                int slice = first + k / (S * D);
                String at = "(b=" + slice / H + ", h=" + slice % H + ", s=" + (k / D) % S + ", d=" + k % D + ")";
                throw new CorruptFileException(path, part, "non-finite value " + dst[k] + " at " + at + " of " + shape
                        + " (" + layout + ")");
            }
        }
    }

    private CorruptFileException changed(Throwable cause) {
        return MappedReads.changed(path, part, channel, dataEnd, cause);
    }

    @Override
    public void close() throws IOException {
        if (ownsChannel) {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "MappedKvSlices[" + path + ", " + part + ", " + dtype + " " + shape + " " + layout + "]";
    }
}
