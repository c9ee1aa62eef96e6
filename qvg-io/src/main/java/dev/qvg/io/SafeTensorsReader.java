package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a {@code .safetensors} file: the header is read and validated when the reader opens
 * (nothing larger than the header is allocated before that), tensor data is memory-mapped and
 * converted on request. Close it (try-with-resources) to release the file; each mapping is
 * released as soon as its tensor is converted, so nothing stays mapped after a call returns.
 *
 * <pre>{@code
 * try (SafeTensorsReader r = SafeTensorsReader.open(path)) {
 *     KvTensor k = r.kvTensor("k", Layout.BHSD);
 * }
 * }</pre>
 *
 * Safe for concurrent reads; not usable after {@link #close()}.
 */
public final class SafeTensorsReader implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final SafeTensorsHeader header;
    private final ReadLimits limits;
    private volatile boolean closed;

    private SafeTensorsReader(Path path, FileChannel channel, long dataStart, SafeTensorsHeader header, ReadLimits limits) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.header = header;
        this.limits = limits;
    }

    /** Opens {@code path} with {@link ReadLimits#defaults()}. */
    public static SafeTensorsReader open(Path path) throws IOException {
        return open(path, ReadLimits.defaults());
    }

    /** Opens and validates {@code path}; throws {@link CorruptFileException} for any malformed header. */
    public static SafeTensorsReader open(Path path, ReadLimits limits) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(limits, "limits");
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < 8) {
                throw new CorruptFileException(path, "header length", "file has " + size
                        + " bytes, fewer than the 8-byte header length every safetensors file starts with");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(path, ch, lenBuf, 0);
            long n = lenBuf.getLong(0); // unsigned 64-bit on disk: negative here means >= 2^63
            if (n < 0 || n > size - 8) {
                throw new CorruptFileException(path, "header length", "declares " + Long.toUnsignedString(n)
                        + " header bytes but the file has only " + (size - 8) + " after the length field");
            }
            if (n > limits.maxHeaderBytes()) {
                throw new CorruptFileException(path, "header length", "declares " + n + " header bytes, more than the cap of "
                        + limits.maxHeaderBytes() + " (ReadLimits.maxHeaderBytes)");
            }
            if (n < 2) {
                throw new CorruptFileException(path, "header", "declares " + n + " header bytes; the smallest header, '{}', has 2");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(path, ch, json, 8);
            SafeTensorsHeader header = SafeTensorsHeader.parse(path, json.array(), size - 8 - n, limits);
            return new SafeTensorsReader(path, ch, 8 + n, header, limits);
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            throw e;
        }
    }

    private static void readFully(Path path, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                // its size was checked first: it shrank since
                throw MappedReads.changed(path, "header", ch, position + buf.limit(), null);
            }
            pos += r;
        }
    }

    public Path path() {
        return path;
    }

    /** The validated header: tensor entries in file order and the {@code __metadata__} map. */
    public SafeTensorsHeader header() {
        return header;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(header.tensors().keySet());
    }

    /** The {@code __metadata__} map (empty when the file has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    /** The header entry of {@code name}; names the available tensors when it is missing. */
    public TensorInfo info(String name) {
        TensorInfo t = header.tensors().get(name);
        if (t == null) {
            throw new IllegalArgumentException("tensor '" + name + "' not in " + path + "; it holds " + names());
        }
        return t;
    }

    /** Values of a F32, F16 or BF16 tensor as float32 (exact), in file order. */
    public float[] floats(String name) throws IOException {
        TensorInfo t = info(name);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + t.dtype()
                    + ", not a floating-point tensor (F32, F16, BF16)");
        }
        float[] out = new float[checkedElements(t)];
        DType dt = t.dtype();
        window(t, (buf, off) -> {
            int base = (int) (off / dt.size());
            int n = buf.remaining() / dt.size();
            switch (dt) {
                case F32 -> buf.asFloatBuffer().get(out, base, n);
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        out[base + i] = Float.intBitsToFloat((buf.getShort(2 * i) & 0xFFFF) << 16);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        out[base + i] = Half.toFloat(buf.getShort(2 * i));
                    }
                }
                default -> throw new IllegalStateException(dt.name());
            }
        });
        return out;
    }

    /** The raw 16-bit elements of a BF16, F16 or U16 tensor (bit patterns, not converted). */
    public short[] shorts(String name) throws IOException {
        TensorInfo t = info(name);
        if (t.dtype().size() != 2) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + t.dtype()
                    + ", not a 16-bit tensor (BF16, F16, U16)");
        }
        short[] out = new short[checkedElements(t)];
        window(t, (buf, off) -> buf.asShortBuffer().get(out, (int) (off / 2), buf.remaining() / 2));
        return out;
    }

    /** The elements of an I32 tensor. */
    public int[] ints(String name) throws IOException {
        TensorInfo t = info(name);
        if (t.dtype() != DType.I32) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + t.dtype() + ", not I32");
        }
        int[] out = new int[checkedElements(t)];
        window(t, (buf, off) -> buf.asIntBuffer().get(out, (int) (off / 4), buf.remaining() / 4));
        return out;
    }

    /** The raw little-endian bytes of any tensor (for U8 tensors: the elements). */
    public byte[] bytes(String name) throws IOException {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " has " + t.byteLength()
                    + " bytes, too many for one byte array");
        }
        byte[] out = new byte[(int) t.byteLength()];
        window(t, (buf, off) -> buf.get(out, (int) off, buf.remaining()));
        return out;
    }

    /**
     * A float tensor as a K or V tensor: {@code [B,H,S,D]}, {@code [H,S,D]} or {@code [S,D]} in
     * {@code layout} (B = H = 1 where absent; in BSHD the S and H axes swap). The result wraps the
     * data in the file's order, so its layout is {@code layout}; call {@code toBhsd()} for kernels.
     * Non-finite values are refused (a {@link CorruptFileException} naming the element) unless the
     * limits allow them.
     */
    public KvTensor kvTensor(String name, Layout layout) throws IOException {
        TensorInfo t = info(name);
        KvShape shape;
        try {
            shape = KvShapes.fromDims(t.shape(), layout);
        } catch (IllegalArgumentException e) {
            throw CorruptFileException.of(path, "tensor '" + name + "'", e);
        }
        KvTensor kv = KvTensor.wrap(shape, layout, floats(name));
        if (limits.requireFinite()) {
            try {
                kv.requireFinite("tensor '" + name + "'");
            } catch (IllegalArgumentException e) {
                throw CorruptFileException.of(path, "tensor '" + name + "'", e);
            }
        }
        return kv;
    }

    /**
     * A float tensor as a K or V tensor read slice group by slice group (streamed, memory-mapped
     * in bounded windows) instead of all at once; same shape rules and refusals as
     * {@link #kvTensor(String, Layout)}. It reads through this reader: close the reader when done.
     */
    public MappedKvSlices kvSlices(String name, Layout layout) throws CorruptFileException {
        if (closed) {
            throw new IllegalStateException("reader of " + path + " is closed");
        }
        return MappedKvSlices.of(this, name, layout, limits);
    }

    FileChannel channel() {
        return channel;
    }

    /** File offset of the data section (tensor offsets are relative to it). */
    long dataStart() {
        return dataStart;
    }

    /** {@link #kvTensor(String, Layout)} in BHSD. */
    public KvTensor kvTensor(String name) throws IOException {
        return kvTensor(name, Layout.BHSD);
    }

    private int checkedElements(TensorInfo t) {
        long n = t.numel();
        if (n > KvShape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' in " + path + " has " + n
                    + " elements, more than one Java array holds (" + KvShape.MAX_ELEMENTS + ")");
        }
        return (int) n;
    }

    private void window(TensorInfo t, MappedReads.WindowConsumer consumer) throws IOException {
        if (closed) {
            throw new IllegalStateException("reader of " + path + " is closed");
        }
        if (t.byteLength() == 0) {
            return;
        }
        MappedReads.read(path, "tensor '" + t.name() + "'", channel, dataStart + t.begin(), t.byteLength(), consumer);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "SafeTensorsReader[" + path + ", " + header.tensors().values() + "]";
    }
}
