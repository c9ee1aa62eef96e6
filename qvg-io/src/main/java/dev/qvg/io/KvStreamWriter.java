package dev.qvg.io;

import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes K/V tensors to a {@code .safetensors} file (or, for a name ending in {@code .npy}, one
 * tensor to an {@code .npy} file) from groups of slices, so a tensor far larger than the heap is
 * written as it is produced: the header is known from the shapes, and each group goes straight
 * to its offsets. The bytes equal what {@link KvFiles#write} writes for the same tensors, with
 * the same refusals (non-finite values, values that overflow F16/BF16) and the same atomic,
 * no-overwrite-without-force publication ({@link AtomicFiles}).
 *
 * <pre>{@code
 * KvStreamWriter.write(out, List.of(new Tensor("k", shape)), DType.F32, Layout.BHSD, Map.of(), force, sink -> {
 *     for (...) sink.write(0, first, count, bhsdValues);   // every slice once, in order
 * });
 * }</pre>
 */
public final class KvStreamWriter {

    /** Bytes converted per write: 1 MiB (larger heap writes make the JDK cache direct buffers that large). */
    private static final int CHUNK = 1 << 20;

    /** A tensor of the file: its name and logical shape. */
    public record Tensor(String name, KvShape shape) {
        public Tensor {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(shape, "shape");
        }
    }

    /** Where the producer puts its groups. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Writes slices {@code [first, first + count)} of tensor {@code tensor} (an index into the
         * list), given as BHSD float32 in {@code values[0, count * S * D)}. Each tensor's slices
         * come in order.
         */
        void write(int tensor, int first, int count, float[] values) throws IOException;
    }

    /** Produces every slice of every tensor into the sink. */
    @FunctionalInterface
    public interface Producer {
        void produce(Sink sink) throws IOException;
    }

    private KvStreamWriter() {
    }

    /**
     * Writes {@code tensors} as {@code dtype} in {@code fileLayout} (rank-4 dims) with
     * {@code metadata} (safetensors only), their values coming from {@code producer}. An existing
     * {@code path} is replaced only when {@code force}; a failure leaves nothing behind.
     */
    public static void write(Path path, List<Tensor> tensors, DType dtype, Layout fileLayout, Map<String, String> metadata,
                             boolean force, Producer producer) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(fileLayout, "fileLayout");
        Objects.requireNonNull(producer, "producer");
        List<Tensor> list = List.copyOf(tensors);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("tensors: a file needs at least one tensor");
        }
        boolean npy = path.getFileName().toString().endsWith(".npy");
        if (!dtype.isFloating() || (npy && dtype == DType.BF16)) {
            throw new IllegalArgumentException((npy ? "npy dtype must be F32 or F16" : "dtype must be F32, F16 or BF16")
                    + ", got " + dtype);
        }
        byte[] header;
        if (npy) {
            if (list.size() != 1) {
                throw new IllegalArgumentException("an npy file holds one tensor, got "
                        + list.stream().map(Tensor::name).toList());
            }
            header = Npy.header(KvShapes.toDims(list.get(0).shape(), fileLayout), dtype);
        } else {
            List<SafeTensorsWriter.HeaderTensor> ht = new ArrayList<>();
            for (Tensor t : list) {
                ht.add(new SafeTensorsWriter.HeaderTensor(t.name(), dtype, KvShapes.toDims(t.shape(), fileLayout),
                        (long) t.shape().numel() * dtype.size()));
            }
            byte[] json = SafeTensorsWriter.headerBytes(metadata, ht);
            header = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).array();
        }
        AtomicFiles.write(path, force, ch -> {
            SafeTensorsWriter.writeFully(ch, ByteBuffer.wrap(header));
            Groups groups = new Groups(ch, list, dtype, fileLayout, header.length);
            producer.produce(groups);
            groups.requireComplete();
        });
    }

    /** The sink: converts each group and writes it at its offsets, checking order and values. */
    private static final class Groups implements Sink {
        private final FileChannel ch;
        private final List<Tensor> tensors;
        private final DType dtype;
        private final Layout layout;
        private final long[] base;
        private final int[] next;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        /** Element index (in the current tensor, file order) the buffered bytes start at. */
        private long bufStart = -1;
        private int bufTensor;

        Groups(FileChannel ch, List<Tensor> tensors, DType dtype, Layout layout, long dataStart) {
            this.ch = ch;
            this.tensors = tensors;
            this.dtype = dtype;
            this.layout = layout;
            this.base = new long[tensors.size()];
            this.next = new int[tensors.size()];
            long offset = dataStart;
            for (int i = 0; i < base.length; i++) {
                base[i] = offset;
                offset += (long) tensors.get(i).shape().numel() * dtype.size();
            }
        }

        @Override
        public void write(int tensor, int first, int count, float[] values) throws IOException {
            Objects.checkIndex(tensor, tensors.size());
            Tensor t = tensors.get(tensor);
            KvShape s = t.shape();
            if (first != next[tensor]) {
                throw new IllegalArgumentException("tensor '" + t.name() + "': slices must come in order; expected slice "
                        + next[tensor] + ", got " + first);
            }
            KvSlices.checkRange(s, first, count, values);
            int H = s.heads(), S = s.tokens(), D = s.headDim();
            if (layout == Layout.BHSD || H == 1) {
                put(tensor, (long) first * S * D, values, 0, count * S * D);
            } else {
                // Each (slice, token) row lands at its own place in [B, S, H, D]; put() merges adjacent rows.
                int end = first + count;
                for (int b = first / H; b * H < end; b++) {
                    int h0 = Math.max(first, b * H) - b * H, h1 = Math.min(end, (b + 1) * H) - b * H;
                    for (int tok = 0; tok < S; tok++) {
                        for (int h = h0; h < h1; h++) {
                            int slice = b * H + h - first;
                            put(tensor, (((long) b * S + tok) * H + h) * D, values, (slice * S + tok) * D, D);
                        }
                    }
                }
            }
            flush();
            next[tensor] += count;
        }

        /** Converts {@code n} values to file elements starting at element {@code at} of tensor {@code tensor}. */
        private void put(int tensor, long at, float[] values, int from, int n) throws IOException {
            int es = dtype.size();
            if (bufStart >= 0 && (bufTensor != tensor || bufStart + buf.position() / es != at)) {
                flush();
            }
            for (int i = 0; i < n; i++) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                if (bufStart < 0) {
                    bufStart = at + i;
                    bufTensor = tensor;
                }
                float v = values[from + i];
                switch (dtype) {
                    case F32 -> {
                        check(tensor, at + i, v, v);
                        buf.putFloat(v);
                    }
                    case BF16 -> {
                        check(tensor, at + i, v, Bf16.round(v));
                        buf.putShort(Bf16.fromFloat(v));
                    }
                    case F16 -> {
                        check(tensor, at + i, v, Half.round(v));
                        buf.putShort(Half.fromFloat(v));
                    }
                    default -> throw new IllegalStateException(dtype.name());
                }
            }
        }

        /** The refusals of {@link SafeTensorsWriter#addFloats}: NaN/infinity, or a value that overflows the dtype. */
        private void check(int tensor, long flat, float v, float rounded) {
            if (!Float.isFinite(v) || Float.isInfinite(rounded)) {
                double max = dtype == DType.F16 ? 65504.0 : dtype == DType.BF16 ? 3.3895313892515355e38 : Float.MAX_VALUE;
                throw new IllegalArgumentException("tensor '" + tensors.get(tensor).name() + "': value " + v
                        + " at flat index " + flat + (Float.isFinite(v) ? " overflows " + dtype + " (largest finite about "
                        + max + ")" : " is not finite"));
            }
        }

        private void flush() throws IOException {
            if (bufStart < 0) {
                return;
            }
            buf.flip();
            long pos = base[bufTensor] + bufStart * dtype.size();
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
            buf.clear();
            bufStart = -1;
        }

        void requireComplete() {
            for (int i = 0; i < next.length; i++) {
                if (next[i] != tensors.get(i).shape().slices()) {
                    throw new IllegalStateException("tensor '" + tensors.get(i).name() + "': " + next[i] + " of "
                            + tensors.get(i).shape().slices() + " slices were written");
                }
            }
        }
    }
}
