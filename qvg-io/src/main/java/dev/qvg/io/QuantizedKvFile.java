package dev.qvg.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The quantized-cache file ({@code .qvg.safetensors}): one or more {@link QuantizedKv} entries
 * (typically {@code k} and {@code v}) as a standard safetensors file, with a SHA-256 digest per
 * tensor and one over the header, verified on read. The format is specified in the module
 * README; {@link #FORMAT_VERSION} changes whenever a reader of the old version would misread it.
 *
 * <pre>{@code
 * QuantizedKvFile.write(out, Map.of("k", qk, "v", qv), config, false);
 * QuantizedKvFile.Contents c = QuantizedKvFile.read(out);   // c.entries().get("k")
 * }</pre>
 */
public final class QuantizedKvFile {

    public static final String FORMAT = "qvg-quantized-kv";
    public static final int FORMAT_VERSION = 1;

    static final String KEY_FORMAT = "qvg.format";
    static final String KEY_VERSION = "qvg.format_version";
    static final String KEY_ENTRIES = "qvg.entries";
    static final String KEY_HEADER_SHA = "qvg.header_sha256";
    static final String SHA_PREFIX = "qvg.sha256.";

    /**
     * bfloat16 payloads (scales, zeros, centroids, tail) are stored as U16 bit patterns, not as
     * BF16: NumPy has no bfloat16, so {@code safetensors.numpy} cannot load BF16 tensors at all,
     * while U16 loads everywhere (PyTorch: {@code t.view(torch.bfloat16)}).
     */
    static final DType BF16_BITS = DType.U16;

    /** What a file holds: the entries in file order, the config if one was stored, all metadata. */
    public record Contents(Map<String, QuantizedKv> entries, QuantizerConfig config, Map<String, String> metadata) {
        public Contents {
            entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        /** The single entry of a one-entry file, or the entry named {@code name}. */
        public QuantizedKv entry(String name) {
            QuantizedKv q = entries.get(name);
            if (q == null) {
                throw new IllegalArgumentException("entry '" + name + "' not in file; it holds " + entries.keySet());
            }
            return q;
        }
    }

    private QuantizedKvFile() {
    }

    /** Writes {@code entries} (name to quantized tensor; any names {@link EntryNames} accepts) without a config. */
    public static void write(Path path, Map<String, QuantizedKv> entries, boolean force) throws IOException {
        write(path, entries, null, force);
    }

    /**
     * Writes {@code entries} and, when not null, the {@code config} that produced them. An existing
     * {@code path} is replaced only when {@code force}; the file appears atomically. Entry names
     * are kept exactly ({@code layers.0.k} reads back as {@code layers.0.k}): each entry gets a key,
     * in map order ({@link EntryNames#keyFor}), and a name that is not its key is recorded.
     */
    public static void write(Path path, Map<String, QuantizedKv> entries, QuantizerConfig config, boolean force)
            throws IOException {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("entries: a quantized-cache file needs at least one entry");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_FORMAT, FORMAT);
        meta.put(KEY_VERSION, Integer.toString(FORMAT_VERSION));
        Set<String> keys = new HashSet<>();
        Map<String, String> keyOf = new LinkedHashMap<>();
        for (String name : entries.keySet()) {
            String key = EntryNames.keyFor(name, keys);
            keys.add(key);
            keyOf.put(name, key);
        }
        meta.put(KEY_ENTRIES, String.join(",", keyOf.values()));
        if (config != null) {
            meta.putAll(QuantizerConfigMetadata.toMetadata(config));
        }
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (Map.Entry<String, QuantizedKv> e : entries.entrySet()) {
            String name = e.getKey();
            QuantizedKv q = Objects.requireNonNull(e.getValue(), "entry " + EntryNames.printable(name));
            String problem = disagreement(config, name, q.method(), q.blocks() == null ? null : q.blocks().config());
            if (problem != null) { // never write what the readers refuse
                throw new IllegalArgumentException("config: " + problem);
            }
            String p = keyOf.get(name);
            if (!p.equals(name)) {
                meta.put(p + EntryNames.NAME_SUFFIX, name);
            }
            encodeEntry(p, q, meta, infos, data);
        }
        for (Map.Entry<String, byte[]> d : data.entrySet()) {
            meta.put(SHA_PREFIX + d.getKey(), Checksums.sha256Hex(d.getValue()));
        }
        meta.put(KEY_HEADER_SHA, Checksums.headerDigest(meta, infos, KEY_HEADER_SHA));
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
        for (TensorInfo t : infos.values()) {
            w.addRaw(t.name(), t.dtype(), t.shape(), data.get(t.name()));
        }
        w.write(path, force);
    }

    private static void encodeEntry(String p, QuantizedKv q, Map<String, String> meta, Map<String, TensorInfo> infos,
                                    Map<String, byte[]> data) {
        KvShape s = q.shape();
        meta.put(p + ".shape", s.batch() + "," + s.heads() + "," + s.tokens() + "," + s.headDim());
        meta.put(p + ".role", q.role().name());
        meta.put(p + ".method", q.method());
        meta.put(p + ".orientation", q.orientation().name());
        meta.put(p + ".quantized_tokens", Integer.toString(q.quantizedTokens()));
        PackedBlocks b = q.blocks();
        if (b != null) {
            BlockQuantConfig c = b.config();
            meta.put(p + ".bits", Integer.toString(c.bits()));
            meta.put(p + ".block_size", Integer.toString(c.blockSize()));
            meta.put(p + ".symmetric", Boolean.toString(c.symmetric()));
            meta.put(p + ".scale_precision", c.scalePrecision().name());
            meta.put(p + ".rows", Integer.toString(b.rows()));
            meta.put(p + ".cols", Integer.toString(b.cols()));
            put(infos, data, p + ".codes", DType.U8, new long[] {b.rows(), b.bytesPerRow()}, b.codes().clone());
            long[] scaleShape = {b.rows(), b.blocksPerRow()};
            put(infos, data, p + ".scales", scaleDType(c), scaleShape, encodeScales(c.scalePrecision(), b.scales()));
            if (b.zeros() != null) {
                put(infos, data, p + ".zeros", scaleDType(c), scaleShape, encodeScales(c.scalePrecision(), b.zeros()));
            }
        }
        meta.put(p + ".stages", Integer.toString(q.stages().size()));
        for (int i = 0; i < q.stages().size(); i++) {
            ClusterStage st = q.stages().get(i);
            String sp = p + ".stage" + i;
            meta.put(sp + ".clusters", Integer.toString(st.clusters()));
            put(infos, data, sp + ".centroids", BF16_BITS, new long[] {st.slices(), st.clusters(), st.dim()},
                    shortsLe(st.centroids()));
            byte[] ids;
            DType idType;
            if (st.idBits() == 8) {
                idType = DType.U8;
                ids = new byte[st.ids().length];
                for (int j = 0; j < ids.length; j++) {
                    ids[j] = (byte) st.ids()[j];
                }
            } else {
                idType = DType.U16;
                short[] sh = new short[st.ids().length];
                for (int j = 0; j < sh.length; j++) {
                    sh[j] = (short) st.ids()[j];
                }
                ids = shortsLe(sh);
            }
            put(infos, data, sp + ".ids", idType, new long[] {st.slices(), st.tokens()}, ids);
            put(infos, data, sp + ".iterations", DType.I32, new long[] {st.slices()}, intsLe(st.iterations()));
        }
        int tailTokens = s.tokens() - q.quantizedTokens();
        meta.put(p + ".tail_tokens", Integer.toString(tailTokens));
        if (tailTokens > 0) {
            put(infos, data, p + ".tail", BF16_BITS, new long[] {s.batch(), s.heads(), tailTokens, s.headDim()},
                    shortsLe(q.fullPrecisionTail()));
        }
        EntryBudgets.put(meta, p, q.budget());
        try {
            meta.put(p + ".info", SafeTensorsHeader.JSON.writeValueAsString(new TreeMap<>(q.info())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    static DType scaleDType(BlockQuantConfig c) {
        return c.scalePrecision() == ScalePrecision.BF16 ? BF16_BITS : DType.U8;
    }

    static byte[] encodeScales(ScalePrecision p, short[] v) {
        if (p == ScalePrecision.BF16) {
            return shortsLe(v);
        }
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i]; // FP8 lives in the low byte
        }
        return out;
    }

    private static void put(Map<String, TensorInfo> infos, Map<String, byte[]> data, String name, DType dtype,
                            long[] shape, byte[] bytes) {
        infos.put(name, new TensorInfo(name, dtype, shape, 0, bytes.length));
        data.put(name, bytes);
    }

    static byte[] shortsLe(short[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(v);
        return b.array();
    }

    static byte[] intsLe(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return b.array();
    }

    static short[] leShorts(byte[] b) {
        short[] out = new short[b.length / 2];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    static int[] leInts(byte[] b) {
        int[] out = new int[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    /** Reads and verifies a quantized-cache file with {@link ReadLimits#defaults()}. */
    public static Contents read(Path path) throws IOException {
        return read(path, ReadLimits.defaults());
    }

    /**
     * Reads {@code path}, verifying the header digest and every tensor's digest before decoding;
     * any mismatch or inconsistency is a {@link CorruptFileException} naming the file and part.
     */
    public static Contents read(Path path, ReadLimits limits) throws IOException {
        try (SafeTensorsReader r = SafeTensorsReader.open(path, limits)) {
            Map<String, String> meta = r.metadata();
            requireFormat(path, meta);
            requireHeaderDigest(path, meta, r.header().tensors());
            Map<String, byte[]> data = new LinkedHashMap<>();
            for (String name : r.names()) {
                byte[] bytes;
                try {
                    bytes = r.bytes(name);
                } catch (IllegalArgumentException e) {
                    throw CorruptFileException.of(path, "tensor '" + name + "'", e);
                }
                String expected = meta.get(SHA_PREFIX + name);
                String actual = Checksums.sha256Hex(bytes);
                if (!actual.equals(expected)) {
                    throw new CorruptFileException(path, "checksum of tensor '" + name + "'", "SHA-256 of its data is "
                            + actual + " but the file records " + expected + " (data corrupted)");
                }
                data.put(name, bytes);
            }
            Map<String, StoredEntry> stored = new LinkedHashMap<>();
            for (String p : meta.getOrDefault(KEY_ENTRIES, "").split(",", -1)) {
                if (stored.containsKey(p)) {
                    throw new CorruptFileException(path, "metadata '" + KEY_ENTRIES + "'", "entry '" + p + "' listed twice");
                }
                try {
                    stored.put(p, StoredEntry.parse(p, meta, r.header().tensors()));
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    throw CorruptFileException.of(path, "entry '" + p + "'", e);
                }
            }
            requireAllTensorsListed(path, r.names(), stored.values());
            requireDistinctNames(path, stored.values());
            Map<String, QuantizedKv> entries = new LinkedHashMap<>();
            for (StoredEntry e : stored.values()) {
                try {
                    entries.put(e.name(), decodeEntry(e, data));
                } catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
                    throw CorruptFileException.of(path, "entry '" + e.key() + "'", ex);
                }
            }
            QuantizerConfig config = config(path, meta);
            requireAgreement(path, config, stored.values());
            return new Contents(entries, config, meta);
        }
    }

    /** Refuses two entries with the same name (keys are distinct already): a writer never records one twice. */
    static void requireDistinctNames(Path path, java.util.Collection<StoredEntry> entries) throws CorruptFileException {
        Map<String, String> seen = new java.util.HashMap<>();
        for (StoredEntry e : entries) {
            String other = seen.putIfAbsent(e.name(), e.key());
            if (other != null) {
                throw new CorruptFileException(path, "entry '" + e.key() + "'", "its name "
                        + EntryNames.printable(e.name()) + " is also the name of entry '" + other + "'");
            }
        }
    }

    /** Refuses a file that is not a quantized-cache file of the version this reader understands. */
    static void requireFormat(Path path, Map<String, String> meta) throws CorruptFileException {
        String format = meta.get(KEY_FORMAT);
        if (!FORMAT.equals(format)) {
            throw new CorruptFileException(path, "metadata '" + KEY_FORMAT + "'", "expected '" + FORMAT + "', got "
                    + (format == null ? "nothing: not a quantized-cache file (plain safetensors?)" : "'" + format + "'"));
        }
        String version = meta.get(KEY_VERSION);
        if (!Integer.toString(FORMAT_VERSION).equals(version)) {
            throw new CorruptFileException(path, "metadata '" + KEY_VERSION + "'", "this reader understands version "
                    + FORMAT_VERSION + ", the file has " + version);
        }
    }

    /** Refuses a header whose recorded digest does not match its metadata and tensor list. */
    static void requireHeaderDigest(Path path, Map<String, String> meta, Map<String, TensorInfo> tensors)
            throws CorruptFileException {
        String expectedHeader = meta.get(KEY_HEADER_SHA);
        String actualHeader = Checksums.headerDigest(meta, tensors, KEY_HEADER_SHA);
        if (!actualHeader.equals(expectedHeader)) {
            throw new CorruptFileException(path, "header checksum", "SHA-256 of the header is " + actualHeader
                    + " but the file records " + expectedHeader + " (metadata or tensor list corrupted)");
        }
    }

    /** The config the metadata records (null when none). */
    static QuantizerConfig config(Path path, Map<String, String> meta) throws CorruptFileException {
        try {
            return QuantizerConfigMetadata.fromMetadata(meta);
        } catch (IllegalArgumentException e) {
            throw CorruptFileException.of(path, "metadata 'qvg.config.*'", e);
        }
    }

    /**
     * What makes entry {@code name} (method {@code method}, block quantizer {@code quant}, null when
     * no token is quantized) disagree with the file's {@code config}, or null when it agrees or
     * there is no config. A file records a config only when every entry was quantized with it,
     * so the entry's method, code bits and scale precision must be the config's: a file that says
     * "int2" over int4 codes was edited.
     */
    static String disagreement(QuantizerConfig config, String name, String method,
                               dev.qvg.api.config.BlockQuantConfig quant) {
        if (config == null) {
            return null;
        }
        if (!config.method().equals(method)) {
            return "entry '" + name + "' has method '" + method + "' but the file's config says '" + config.method() + "'";
        }
        if (quant != null && quant.bits() != config.quant().bits()) {
            return "entry '" + name + "' holds " + quant.bits() + "-bit codes but the file's config says "
                    + config.quant().bits() + " bits";
        }
        if (quant != null && quant.scalePrecision() != config.quant().scalePrecision()) {
            return "entry '" + name + "' has " + quant.scalePrecision() + " scales but the file's config says "
                    + config.quant().scalePrecision();
        }
        return null;
    }

    /** Refuses, naming the file, an entry that disagrees with the file's config ({@link #disagreement}). */
    static void requireAgreement(Path path, QuantizerConfig config, java.util.Collection<StoredEntry> entries)
            throws CorruptFileException {
        for (StoredEntry e : entries) {
            String problem = disagreement(config, e.name(), e.method(), e.quant());
            if (problem != null) {
                throw new CorruptFileException(path, "metadata 'qvg.config.*'", problem);
            }
        }
    }

    /**
     * Refuses tensors that belong to no listed entry: a file whose entry list leaves a tensor out
     * was edited (the writers never do it), and reading it would silently drop that tensor.
     */
    static void requireAllTensorsListed(Path path, Iterable<String> tensors, java.util.Collection<StoredEntry> entries)
            throws CorruptFileException {
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (StoredEntry e : entries) {
            listed.addAll(e.tensorNames());
        }
        for (String t : tensors) {
            if (!listed.contains(t)) {
                throw new CorruptFileException(path, "metadata '" + KEY_ENTRIES + "'", "tensor '" + t
                        + "' belongs to no entry listed in '" + KEY_ENTRIES + "' (the list was edited?)");
            }
        }
    }

    /** Entry {@code p} from the verified data: the layout checks of {@link StoredEntry}, then the whole tensor. */
    private static QuantizedKv decodeEntry(StoredEntry e, Map<String, byte[]> data) throws IOException {
        for (int i = 0; i < e.clusters().length; i++) {
            e.requireIterations(i, data.get(e.key() + ".stage" + i + ".iterations"));
        }
        QuantizedKv q = e.part(0, e.shape().slices(), (tensor, offset, length) -> {
            byte[] all = data.get(tensor);
            return offset == 0 && length == all.length ? all : Arrays.copyOfRange(all, (int) offset, (int) offset + length);
        });
        e.requireBudget(q.budget());
        return q;
    }
}
