package dev.qvg.reliability;

import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.io.CorruptFileException;
import dev.qvg.io.KvFiles;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.QuantizedKvStreamReader;
import dev.qvg.io.ReadLimits;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.TensorInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The fuzz targets: feed bytes to one reader through every public read path and accept exactly
 * two outcomes, a successful read whose results are self-consistent, or the documented
 * {@link CorruptFileException} naming the file and a part. Anything else escapes: an
 * {@code IndexOutOfBoundsException}, {@code NegativeArraySizeException}, {@code OutOfMemoryError},
 * {@code NullPointerException} or a plain {@code IOException} is a finding. So is an allocation
 * out of proportion to the input: a reader must check declared sizes against the file before it
 * allocates for them.
 */
final class ReaderTargets {

    /**
     * Allocation allowed per read: a fixed allowance (JSON parser, buffers, exception text) plus a
     * multiple of the input (a BF16 tensor becomes float32, read through both layouts, the JSON
     * tree of a header costs a few dozen bytes per input byte). A reader that trusted a declared
     * size would allocate megabytes to gigabytes for a few hundred bytes of input.
     */
    static final long FIXED_ALLOWANCE = 8L << 20;
    static final long PER_INPUT_BYTE = 256;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ReaderTargets() {
    }

    @FunctionalInterface
    interface Target {
        void read(Path file) throws IOException;
    }

    /** Runs {@code target} on {@code data}; throws {@link AssertionError} or what escaped the reader. */
    static void run(byte[] data, Target target) throws IOException {
        Path file = Scratch.write(data);
        long allowed = FIXED_ALLOWANCE + PER_INPUT_BYTE * data.length;
        long allocated = readOnce(file, target);
        if (allocated > allowed) {
            // The first read of a code path also pays for class loading and static caches
            // (Jackson, regex, enum tables): measure again before calling it a finding.
            allocated = readOnce(file, target);
            if (allocated > allowed) {
                throw new AssertionError("reading " + data.length + " bytes allocated " + allocated
                        + " bytes, more than the " + allowed + " allowed: a declared size was trusted");
            }
        }
    }

    /** Reads once; returns the bytes this thread allocated doing so. */
    private static long readOnce(Path file, Target target) throws IOException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            target.read(file);
        } catch (CorruptFileException e) {
            checkDocumented(file, e);
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    private static void checkDocumented(Path file, CorruptFileException e) {
        if (!file.equals(e.file()) || e.part() == null || e.part().isEmpty()) {
            throw new AssertionError("CorruptFileException must name the file and the part, got file="
                    + e.file() + " part=" + e.part(), e);
        }
        if (!e.getMessage().startsWith(file.toString() + ": ")) {
            throw new AssertionError("message must start with the file: " + e.getMessage(), e);
        }
    }

    /** Every read path of {@link SafeTensorsReader}, chosen by each tensor's dtype as a careful caller would. */
    static void safeTensors(Path file) throws IOException {
        try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
            for (String name : r.names()) {
                TensorInfo t = r.info(name);
                long numel = t.numel();
                int n;
                switch (t.dtype()) {
                    case F32, F16, BF16 -> {
                        n = r.floats(name).length;
                        if (t.dtype().size() == 2) {
                            expect(r.shorts(name).length == n, "shorts and floats disagree on " + name);
                        }
                        readKv(r, name, t);
                    }
                    case U16 -> n = r.shorts(name).length;
                    case I32 -> n = r.ints(name).length;
                    default -> n = r.bytes(name).length;
                }
                expect(n == numel, name + ": read " + n + " elements, header says " + numel);
                expect(r.bytes(name).length == t.byteLength(), name + ": bytes() length differs from the header");
            }
        }
    }

    private static void readKv(SafeTensorsReader r, String name, TensorInfo t) throws IOException {
        for (Layout layout : Layout.values()) {
            KvTensor kv = r.kvTensor(name, layout);
            expect(kv.shape().numel() == t.numel(), name + ": kv tensor element count differs from the header");
        }
    }

    /** Every read path of {@link Npy}, plus the format sniffing of {@link KvFiles}. */
    static void npy(Path file) throws IOException {
        Npy.Header h = Npy.readHeader(file, ReadLimits.defaults());
        Npy.Array a = Npy.read(file);
        expect(a.data().length == h.numel(), "npy: read " + a.data().length + " values, header says " + h.numel());
        for (Layout layout : Layout.values()) {
            KvTensor kv = Npy.readKv(file, layout);
            expect(kv.data().length == a.data().length, "npy: kv tensor differs from the plain read");
        }
    }

    /** Sniffs npy versus safetensors and reads every float tensor, as the CLI does. */
    static void kvFiles(Path file) throws IOException {
        for (Layout layout : Layout.values()) {
            KvFiles.readAll(file, layout);
        }
    }

    /**
     * What {@code qvg inspect} reads of any file, without the data: an npy header; a
     * safetensors file's tensor infos and metadata; for a quantized cache, the streamed reader's
     * verification and every entry's description (config, layout, budget, k-means iterations).
     */
    static void inspect(Path file) throws IOException {
        if (KvFiles.isNpy(file)) {
            Npy.Header h = Npy.readHeader(file, ReadLimits.defaults());
            expect(h.numel() >= 0, "npy header with a negative element count");
            return;
        }
        boolean quantized;
        try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
            for (String n : r.names()) {
                TensorInfo t = r.info(n);
                expect(t.byteLength() >= 0 && !t.shapeString().isEmpty(), "tensor info of " + n);
            }
            quantized = QuantizedKvFile.FORMAT.equals(r.metadata().get("qvg.format"));
        }
        if (quantized) {
            try (QuantizedKvStreamReader c = QuantizedKvStreamReader.open(file)) {
                if (c.config() != null) {
                    expect(!c.config().label().isEmpty(), "empty config label");
                }
                for (String name : c.entries()) {
                    QuantizedKvStreamReader.Entry q = c.entry(name);
                    expect(q.budget().values() == q.shape().numel(), "entry " + name + ": budget counts other values");
                    for (int i = 0; i < q.clusters().size(); i++) {
                        expect(c.iterations(name, i).length == q.shape().slices(), "entry " + name + ": iterations");
                    }
                }
            }
        }
    }

    /** Reads a quantized-cache file and decodes every entry: a file that verifies must decode. */
    static void quantized(Path file) throws IOException {
        QuantizedKvFile.Contents c = QuantizedKvFile.read(file);
        expect(!c.entries().isEmpty(), "quantized file read with no entries");
        for (QuantizedKv q : c.entries().values()) {
            KvTensor t = ReferenceDecoder.decode(q);
            expect(t.data().length == q.shape().numel(), "decoded element count differs from the shape");
        }
    }

    private static void expect(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
