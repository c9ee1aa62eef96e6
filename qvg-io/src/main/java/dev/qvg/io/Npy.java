package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;

/**
 * NumPy {@code .npy} files of float32 ({@code <f4}) or float16 ({@code <f2}) in C order.
 * Versions 1.0, 2.0 and 3.0 are read; 1.0 is written (2.0 when the header needs it). Big-endian
 * data and Fortran order are refused with a message saying how to convert in NumPy rather than
 * silently transposed. Data is memory-mapped, as for safetensors.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** The parsed header: element type, shape, and where the data starts. */
    public record Header(DType dtype, long[] shape, long dataOffset) {
        public Header {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Element count; throws {@link ArithmeticException} when it does not fit 64 bits. */
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    /** An array read from a file: its dims and float32 values in C order. */
    public record Array(long[] shape, float[] data) {
        public Array {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private Npy() {
    }

    /** Reads and validates the header of {@code path}. */
    public static Header readHeader(Path path, ReadLimits limits) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(path, ch, limits);
        }
    }

    static Header readHeader(Path path, FileChannel ch, ReadLimits limits) throws IOException {
        long size = ch.size();
        if (size < 10) {
            throw new CorruptFileException(path, "npy magic", "file has " + size + " bytes, too short for an npy preamble");
        }
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        pre.limit((int) Math.min(12, size));
        while (pre.hasRemaining() && ch.read(pre, pre.position()) > 0) {
            // fill
        }
        if (pre.hasRemaining()) {
            throw MappedReads.changed(path, "npy magic", ch, pre.limit(), null);
        }
        byte[] magic = Arrays.copyOf(pre.array(), 6);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CorruptFileException(path, "npy magic", "does not start with \\x93NUMPY: not an npy file");
        }
        int major = pre.get(6) & 0xFF, minor = pre.get(7) & 0xFF;
        long headerLen;
        long headerStart;
        if (major == 1 && minor == 0) {
            headerLen = pre.getShort(8) & 0xFFFF;
            headerStart = 10;
        } else if ((major == 2 || major == 3) && minor == 0) {
            if (size < 12) {
                throw new CorruptFileException(path, "npy header length", "file too short for a version " + major + " preamble");
            }
            headerLen = pre.getInt(8) & 0xFFFFFFFFL;
            headerStart = 12;
        } else {
            throw new CorruptFileException(path, "npy version", "unsupported version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        if (headerLen > size - headerStart) {
            throw new CorruptFileException(path, "npy header length", "declares " + headerLen
                    + " header bytes but only " + (size - headerStart) + " follow");
        }
        if (headerLen > limits.maxHeaderBytes()) {
            throw new CorruptFileException(path, "npy header length", "declares " + headerLen
                    + " bytes, more than the cap of " + limits.maxHeaderBytes());
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        long pos = headerStart;
        while (hb.hasRemaining()) {
            int r = ch.read(hb, pos);
            if (r < 0) {
                // the length was checked against the file's size: it shrank since
                throw MappedReads.changed(path, "npy header", ch, headerStart + headerLen, null);
            }
            pos += r;
        }
        String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).trim();
        Header h = parseDict(path, text, headerStart + headerLen);
        long bytes;
        try {
            bytes = Math.multiplyExact(h.numel(), h.dtype().size());
        } catch (ArithmeticException e) {
            throw new CorruptFileException(path, "npy shape", Arrays.toString(h.shape()) + " overflows 64 bits");
        }
        if (bytes > limits.maxTensorBytes()) {
            throw new CorruptFileException(path, "npy data", bytes + " bytes exceed the tensor size cap of "
                    + limits.maxTensorBytes() + " bytes (ReadLimits.maxTensorBytes)");
        }
        long have = size - h.dataOffset();
        if (have != bytes) {
            throw new CorruptFileException(path, "npy data", "shape " + Arrays.toString(h.shape()) + " of " + h.dtype()
                    + " needs " + bytes + " bytes but the file holds " + have
                    + (have < bytes ? " (truncated)" : " (trailing bytes)"));
        }
        return h;
    }

    private static Header parseDict(Path path, String text, long dataOffset) throws CorruptFileException {
        Map<String, Object> dict;
        try {
            dict = NpyHeaderDict.parse(text);
        } catch (NpyHeaderDict.Malformed e) {
            throw new CorruptFileException(path, "npy header", "not the Python dict literal NumPy writes: "
                    + e.getMessage());
        }
        for (String k : dict.keySet()) {
            if (!k.equals("descr") && !k.equals("fortran_order") && !k.equals("shape")) {
                throw new CorruptFileException(path, "npy header", "unexpected key '" + k + "' in " + abbreviate(text));
            }
        }
        if (!(dict.get("descr") instanceof String descr) || !(dict.get("fortran_order") instanceof Boolean fortran)
                || !(dict.get("shape") instanceof long[] shape)) {
            throw new CorruptFileException(path, "npy header", "needs exactly descr (a string), fortran_order (True or"
                    + " False) and shape (a tuple of integers): " + abbreviate(text));
        }
        DType dtype = switch (descr) {
            case "<f4" -> DType.F32;
            case "<f2" -> DType.F16;
            case ">f4", ">f2" -> throw new CorruptFileException(path, "npy descr", "big-endian " + descr
                    + " is not supported; convert with a.astype(a.dtype.newbyteorder('<'))");
            default -> throw new CorruptFileException(path, "npy descr", "unsupported dtype '" + descr
                    + "' (supported: '<f4' float32, '<f2' float16)");
        };
        if (fortran) {
            throw new CorruptFileException(path, "npy fortran_order", "Fortran-order arrays are not supported; "
                    + "save np.ascontiguousarray(a) instead");
        }
        return new Header(dtype, shape, dataOffset);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** Reads a float32/float16 array of any shape as float32 values in C order. */
    public static Array read(Path path) throws IOException {
        return read(path, ReadLimits.defaults());
    }

    public static Array read(Path path, ReadLimits limits) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = readHeader(path, ch, limits);
            long n = h.numel();
            if (n > KvShape.MAX_ELEMENTS) {
                throw new CorruptFileException(path, "npy shape", n + " elements do not fit one Java array");
            }
            float[] out = new float[(int) n];
            DType dt = h.dtype();
            if (n > 0) {
                MappedReads.read(path, "npy data", ch, h.dataOffset(), n * dt.size(), (buf, off) -> {
                    int base = (int) (off / dt.size());
                    int cnt = buf.remaining() / dt.size();
                    if (dt == DType.F32) {
                        buf.asFloatBuffer().get(out, base, cnt);
                    } else {
                        for (int i = 0; i < cnt; i++) {
                            out[base + i] = Half.toFloat(buf.getShort(2 * i));
                        }
                    }
                });
            }
            return new Array(h.shape(), out);
        }
    }

    /** Reads a K or V tensor with the shape rules of {@link KvShapes}; non-finite values refused per limits. */
    public static KvTensor readKv(Path path, Layout layout, ReadLimits limits) throws IOException {
        Array a = read(path, limits);
        KvTensor t;
        try {
            t = KvTensor.wrap(KvShapes.fromDims(a.shape(), layout), layout, a.data());
            if (limits.requireFinite()) {
                t.requireFinite("npy data");
            }
        } catch (IllegalArgumentException e) {
            throw CorruptFileException.of(path, "npy data", e);
        }
        return t;
    }

    public static KvTensor readKv(Path path, Layout layout) throws IOException {
        return readKv(path, layout, ReadLimits.defaults());
    }

    /** Writes {@code data} with {@code shape} as {@code <f4} (F32) or {@code <f2} (F16). */
    public static void write(Path path, long[] shape, float[] data, DType dtype, boolean force) throws IOException {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("npy dtype must be F32 or F16, got " + dtype);
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("npy shape: negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException("npy shape " + Arrays.toString(shape) + " holds " + n + " elements but "
                    + data.length + " were given");
        }
        // Reuse the safetensors writer's checks and conversions: the same element bytes.
        SafeTensorsWriter conv = new SafeTensorsWriter().addFloats("x", dtype, shape, data);
        byte[] header = header(shape, dtype);
        AtomicFiles.write(path, force, ch -> {
            SafeTensorsWriter.writeFully(ch, ByteBuffer.wrap(header));
            conv.writeDataTo(ch);
        });
    }

    /** Writes a K or V tensor as rank-4 dims in {@code fileLayout}. */
    public static void writeKv(Path path, KvTensor tensor, DType dtype, Layout fileLayout, boolean force) throws IOException {
        KvTensor t = tensor.layout() == fileLayout ? tensor : tensor.toLayout(fileLayout);
        write(path, KvShapes.toDims(t.shape(), fileLayout), t.data(), dtype, force);
    }

    /** The complete header (magic to padding) of an array of {@code shape} and {@code dtype} (F32 or F16) in C order. */
    static byte[] header(long[] shape, DType dtype) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        } else if (shape.length == 1) {
            dims.setLength(dims.length() - 1);
        }
        String dict = "{'descr': '" + (dtype == DType.F32 ? "<f4" : "<f2") + "', 'fortran_order': False, 'shape': ("
                + dims.toString().trim() + "), }";
        return encodeHeader(dict);
    }

    /** Magic, version, length, dict padded with spaces and a newline so data starts 64-byte aligned. */
    private static byte[] encodeHeader(String dict) {
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        int pre = 10;
        int total = (pre + d.length + 1 + 63) / 64 * 64;
        boolean v2 = total - pre > 0xFFFF;
        if (v2) {
            pre = 12;
            total = (pre + d.length + 1 + 63) / 64 * 64;
        }
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
        if (v2) {
            b.putInt(total - pre);
        } else {
            b.putShort((short) (total - pre));
        }
        b.put(d);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }
}
