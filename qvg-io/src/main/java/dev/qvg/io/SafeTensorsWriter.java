package dev.qvg.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds and writes a {@code .safetensors} file: tensors in the order added, {@code __metadata__}
 * first in the header, the header padded with spaces so the data starts 8-byte aligned (as the
 * reference implementation does). Float conversions are exact round-to-nearest-even; a finite
 * value that would overflow F16 or BF16, and any NaN or infinity, is refused rather than written.
 * Arrays are referenced, not copied: do not change them before {@link #write}.
 *
 * <pre>{@code
 * new SafeTensorsWriter().metadata("source", "mine").addKv("k", k, DType.BF16).write(path, false);
 * }</pre>
 */
public final class SafeTensorsWriter {

    private static final int CHUNK = 1 << 20;

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** One tensor to write: header fields plus a function that emits its little-endian bytes. */
    private record Entry(DType dtype, long[] shape, long bytes, Emitter emitter) {
    }

    @FunctionalInterface
    private interface Emitter {
        /** Puts elements {@code [from, to)} into {@code buf} (little-endian, room guaranteed). */
        void put(ByteBuffer buf, int from, int to);
    }

    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "metadata key"), Objects.requireNonNull(value, "metadata value"));
        return this;
    }

    public SafeTensorsWriter metadata(Map<String, String> entries) {
        entries.forEach(this::metadata);
        return this;
    }

    /** Adds float data as F32, F16 or BF16 with {@code shape}; values must be finite and fit the dtype. */
    public SafeTensorsWriter addFloats(String name, DType dtype, long[] shape, float[] data) {
        Objects.requireNonNull(data, "data");
        checkCount(name, shape, data.length);
        switch (dtype) {
            case F32 -> {
                requireFinite(name, data, Float.MAX_VALUE, dtype);
                return add(name, dtype, shape, data.length, (b, f, t) -> b.asFloatBuffer().put(data, f, t - f));
            }
            case BF16 -> {
                requireFinite(name, data, 3.3895313892515355e38, dtype);
                return add(name, dtype, shape, data.length, (b, f, t) -> {
                    for (int i = f; i < t; i++) {
                        b.putShort(2 * (i - f), Bf16.fromFloat(data[i]));
                    }
                });
            }
            case F16 -> {
                requireFinite(name, data, 65504.0, dtype);
                return add(name, dtype, shape, data.length, (b, f, t) -> {
                    for (int i = f; i < t; i++) {
                        b.putShort(2 * (i - f), Half.fromFloat(data[i]));
                    }
                });
            }
            default -> throw new IllegalArgumentException("addFloats: dtype must be F32, F16 or BF16, got " + dtype);
        }
    }

    /**
     * Adds a K or V tensor as {@code [B,H,S,D]} (or {@code [B,S,H,D]} when {@code fileLayout} is
     * BSHD), converting the tensor's layout when it differs.
     */
    public SafeTensorsWriter addKv(String name, KvTensor tensor, DType dtype, Layout fileLayout) {
        KvTensor t = tensor.layout() == fileLayout ? tensor : tensor.toLayout(fileLayout);
        return addFloats(name, dtype, KvShapes.toDims(t.shape(), fileLayout), t.data());
    }

    /** Adds a K or V tensor as {@code [B,H,S,D]}. */
    public SafeTensorsWriter addKv(String name, KvTensor tensor, DType dtype) {
        return addKv(name, tensor, dtype, Layout.BHSD);
    }

    /** Adds raw 16-bit elements (bit patterns) as BF16, F16 or U16. */
    public SafeTensorsWriter addShorts(String name, DType dtype, long[] shape, short[] data) {
        Objects.requireNonNull(data, "data");
        if (dtype.size() != 2) {
            throw new IllegalArgumentException("addShorts: dtype must be BF16, F16 or U16, got " + dtype);
        }
        checkCount(name, shape, data.length);
        return add(name, dtype, shape, data.length, (b, f, t) -> b.asShortBuffer().put(data, f, t - f));
    }

    /** Adds bytes as a U8 tensor. */
    public SafeTensorsWriter addBytes(String name, long[] shape, byte[] data) {
        Objects.requireNonNull(data, "data");
        checkCount(name, shape, data.length);
        return add(name, DType.U8, shape, data.length, (b, f, t) -> b.put(data, f, t - f));
    }

    /** Adds an I32 tensor. */
    public SafeTensorsWriter addInts(String name, long[] shape, int[] data) {
        Objects.requireNonNull(data, "data");
        checkCount(name, shape, data.length);
        return add(name, DType.I32, shape, data.length, (b, f, t) -> b.asIntBuffer().put(data, f, t - f));
    }

    /** Adds already little-endian encoded elements of any dtype (used by the quantized-cache writer). */
    SafeTensorsWriter addRaw(String name, DType dtype, long[] shape, byte[] littleEndian) {
        Objects.requireNonNull(littleEndian, "data");
        if (littleEndian.length % dtype.size() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': " + littleEndian.length + " bytes is not a whole number of "
                    + dtype + " elements");
        }
        int count = littleEndian.length / dtype.size();
        checkCount(name, shape, count);
        return add(name, dtype, shape, count, (b, f, t) -> b.put(littleEndian, f * dtype.size(), (t - f) * dtype.size()));
    }

    private SafeTensorsWriter add(String name, DType dtype, long[] shape, int count, Emitter emitter) {
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        entries.put(name, new Entry(dtype, shape.clone(), (long) count * dtype.size(), emitter));
        return this;
    }

    private static void checkCount(String name, long[] shape, int count) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        if (name.isEmpty() || name.equals(SafeTensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name must be non-empty and not " + SafeTensorsHeader.METADATA_KEY
                    + ", got '" + name + "'");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but " + count + " were given");
        }
    }

    private static void requireFinite(String name, float[] data, double max, DType dtype) {
        for (int i = 0; i < data.length; i++) {
            float v = data[i];
            // Values past max that still round down to max are fine; only true overflow is refused.
            boolean overflow = dtype == DType.F16 ? Float.isInfinite(Half.round(v)) : Float.isInfinite(dtype == DType.BF16 ? Bf16.round(v) : v);
            if (!Float.isFinite(v) || overflow) {
                throw new IllegalArgumentException("tensor '" + name + "': value " + v + " at flat index " + i
                        + (Float.isFinite(v) ? " overflows " + dtype + " (largest finite about " + max + ")" : " is not finite"));
            }
        }
    }

    /** The header bytes (JSON, space-padded so the data section starts 8-byte aligned). */
    byte[] headerBytes() {
        List<HeaderTensor> tensors = new ArrayList<>();
        entries.forEach((name, t) -> tensors.add(new HeaderTensor(name, t.dtype(), t.shape(), t.bytes())));
        return headerBytes(metadata, tensors);
    }

    /** One tensor of a header: the data of the tensors follow each other in list order. */
    record HeaderTensor(String name, DType dtype, long[] shape, long bytes) {
    }

    /**
     * The header of a file holding {@code tensors} in order with {@code metadata}, exactly as
     * {@link #write} writes it: streamed writers that produce the data later use it too.
     */
    static byte[] headerBytes(Map<String, String> metadata, List<HeaderTensor> tensors) {
        ObjectNode root = SafeTensorsHeader.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(SafeTensorsHeader.METADATA_KEY);
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (HeaderTensor t : tensors) {
            ObjectNode o = root.putObject(t.name());
            o.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.putArray("data_offsets").add(offset).add(offset + t.bytes());
            offset += t.bytes();
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the file atomically; an existing {@code path} is replaced only when {@code force}. */
    public void write(Path path, boolean force) throws IOException {
        byte[] header = headerBytes();
        AtomicFiles.write(path, force, ch -> writeTo(ch, header));
    }

    private void writeTo(FileChannel ch, byte[] header) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
        writeFully(ch, len);
        writeFully(ch, ByteBuffer.wrap(header));
        writeDataTo(ch);
    }

    /** Writes every tensor's elements in order, without any header. */
    void writeDataTo(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry t : entries.values()) {
            int size = t.dtype().size();
            int count = (int) (t.bytes() / size);
            int per = CHUNK / size;
            for (int from = 0; from < count; from += per) {
                int to = Math.min(count, from + per);
                buf.clear();
                t.emitter().put(buf, from, to);
                buf.position(0).limit((to - from) * size);
                writeFully(ch, buf);
            }
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
