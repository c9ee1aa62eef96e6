package dev.qvg.io;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A quantized-cache file read entry by entry and group of slices by group, in bounded memory:
 * what {@code qvg decompress} needs for a file larger than its heap. {@link #open} makes every
 * check {@link QuantizedKvFile#read} makes (format, version, header digest, every tensor's
 * SHA-256 streamed through 64 MiB mapped windows, each entry's metadata against its tensors and
 * its recorded bit budget, the config) before any entry is handed out; {@link #part} then reads
 * only the byte ranges of the requested slices (positional reads, no mapping, so a file
 * truncated meanwhile is an end of file rather than a fault), and checks ids against the
 * cluster count as the whole reader does.
 *
 * <p>The digests are verified once, when opening; {@link #requireUnchanged()} afterwards refuses
 * a file whose size, modification time or identity changed since, so what was decoded is what
 * was verified.
 */
public final class QuantizedKvStreamReader implements AutoCloseable {

    /** Largest single read: the JDK caches a direct buffer of each heap read's size per thread. */
    private static final int CHUNK = 1 << 20;

    private final Path path;
    private final SafeTensorsReader reader;
    private final Map<String, StoredEntry> entries;
    private final QuantizerConfig config;
    private final BasicFileAttributes opened;

    private QuantizedKvStreamReader(Path path, SafeTensorsReader reader, Map<String, StoredEntry> entries,
                                    QuantizerConfig config, BasicFileAttributes opened) {
        this.path = path;
        this.reader = reader;
        this.entries = entries;
        this.config = config;
        this.opened = opened;
    }

    /** Opens and verifies {@code path} with {@link ReadLimits#defaults()}. */
    public static QuantizedKvStreamReader open(Path path) throws IOException {
        return open(path, ReadLimits.defaults());
    }

    /** Opens and verifies {@code path}; any problem is a {@link CorruptFileException} naming the file and the part. */
    public static QuantizedKvStreamReader open(Path path, ReadLimits limits) throws IOException {
        BasicFileAttributes before = Files.readAttributes(path, BasicFileAttributes.class);
        SafeTensorsReader r = SafeTensorsReader.open(path, limits);
        try {
            Map<String, String> meta = r.metadata();
            QuantizedKvFile.requireFormat(path, meta);
            QuantizedKvFile.requireHeaderDigest(path, meta, r.header().tensors());
            for (String name : r.names()) {
                verifyDigest(path, r, name, meta.get(QuantizedKvFile.SHA_PREFIX + name));
            }
            Map<String, StoredEntry> byKey = new LinkedHashMap<>();
            for (String p : meta.getOrDefault(QuantizedKvFile.KEY_ENTRIES, "").split(",", -1)) {
                if (byKey.containsKey(p)) {
                    throw new CorruptFileException(path, "metadata '" + QuantizedKvFile.KEY_ENTRIES + "'", "entry '" + p
                            + "' listed twice");
                }
                try {
                    StoredEntry e = StoredEntry.parse(p, meta, r.header().tensors());
                    e.requireBudget(e.budget());
                    byKey.put(p, e);
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    throw CorruptFileException.of(path, "entry '" + p + "'", e);
                }
            }
            QuantizedKvFile.requireDistinctNames(path, byKey.values());
            Map<String, StoredEntry> entries = new LinkedHashMap<>();
            byKey.values().forEach(e -> entries.put(e.name(), e));
            QuantizedKvFile.requireAllTensorsListed(path, r.names(), entries.values());
            QuantizerConfig config = QuantizedKvFile.config(path, meta);
            QuantizedKvFile.requireAgreement(path, config, entries.values());
            QuantizedKvStreamReader reader = new QuantizedKvStreamReader(path, r, entries, config, before);
            for (StoredEntry e : entries.values()) {
                reader.requireIdsInRange(e);
                for (int i = 0; i < e.clusters().length; i++) {
                    try {
                        e.requireIterations(i, reader.read(e.key() + ".stage" + i + ".iterations", 0,
                                4 * e.shape().slices()));
                    } catch (IllegalArgumentException ex) {
                        throw CorruptFileException.of(path, "entry '" + e.key() + "'", ex);
                    }
                }
            }
            return reader;
        } catch (IOException | RuntimeException | Error e) {
            r.close();
            throw e;
        }
    }

    private static void verifyDigest(Path path, SafeTensorsReader r, String name, String expected) throws IOException {
        TensorInfo t = r.info(name);
        MessageDigest md = Checksums.sha256();
        if (t.byteLength() > 0) {
            MappedReads.read(path, "tensor '" + name + "'", r.channel(), r.dataStart() + t.begin(), t.byteLength(),
                    MappedKvSlices.WINDOW, (buf, off) -> md.update(buf));
        }
        String actual = HexFormat.of().formatHex(md.digest());
        if (!actual.equals(expected)) {
            throw new CorruptFileException(path, "checksum of tensor '" + name + "'", "SHA-256 of its data is " + actual
                    + " but the file records " + expected + " (data corrupted)");
        }
    }

    /**
     * Refuses ids outside {@code [0, clusters)}, as building the whole entry would: checked here,
     * a chunk at a time, so that every refusal of {@link QuantizedKvFile#read} happens at open.
     */
    private void requireIdsInRange(StoredEntry e) throws IOException {
        int[] clusters = e.clusters();
        long tokens = e.quantizedTokens();
        for (int i = 0; i < clusters.length; i++) {
            String tensor = e.key() + ".stage" + i + ".ids";
            int width = clusters[i] <= 256 ? 1 : 2;
            long total = e.shape().slices() * tokens;
            for (long done = 0; done < total; ) {
                int n = (int) Math.min(CHUNK / 2, total - done);
                byte[] b = read(tensor, done * width, n * width);
                for (int j = 0; j < n; j++) {
                    int id = width == 1 ? b[j] & 0xFF : (b[2 * j] & 0xFF) | (b[2 * j + 1] & 0xFF) << 8;
                    if (id >= clusters[i]) {
                        long at = done + j;
                        throw new CorruptFileException(path, "entry '" + e.key() + "'", "cluster stage: id " + id
                                + " at token " + at % tokens + " of slice " + at / tokens + " is outside [0, "
                                + clusters[i] + ")");
                    }
                }
                done += n;
            }
        }
    }

    public Path path() {
        return path;
    }

    /**
     * Entry names in file order: the names the entries' tensors had, exactly ({@link EntryNames});
     * every other method takes one of these.
     */
    public List<String> entries() {
        return List.copyOf(entries.keySet());
    }

    /** The shape of the whole tensor of entry {@code name}. */
    public KvShape shape(String name) {
        return stored(name).shape();
    }

    public KvRole role(String name) {
        return stored(name).role();
    }

    public String method(String name) {
        return stored(name).method();
    }

    /** The config the file records, or null when it holds none. */
    public QuantizerConfig config() {
        return config;
    }

    /** All metadata of the file. */
    public Map<String, String> metadata() {
        return reader.metadata();
    }

    /**
     * What entry {@code name} holds, without its data (for tools that describe a file).
     *
     * @param key      the identifier its tensors and metadata are named by ({@link EntryNames}):
     *                 the name itself unless that is not {@code [A-Za-z0-9_]{1,64}}; safe as a file name
     * @param blocks   the block quantizer's config, null when no token is quantized
     * @param clusters clusters per smoothing stage
     * @param budget   exact storage, per component
     */
    public record Entry(String name, String key, KvShape shape, KvRole role, String method, Orientation orientation,
                        int quantizedTokens, BlockQuantConfig blocks, List<Integer> clusters, BitBudget budget,
                        Map<String, String> info) {
        public Entry {
            clusters = List.copyOf(clusters);
            info = Map.copyOf(info);
        }
    }

    public Entry entry(String name) {
        StoredEntry e = stored(name);
        return new Entry(name, e.key(), e.shape(), e.role(), e.method(), e.orientation(), e.quantizedTokens(), e.quant(),
                java.util.Arrays.stream(e.clusters()).boxed().toList(), e.budget(), e.info());
    }

    /** k-means iterations per slice of stage {@code stage} of entry {@code name} (diagnostic). */
    public int[] iterations(String name, int stage) throws IOException {
        StoredEntry e = stored(name);
        if (stage < 0 || stage >= e.clusters().length) {
            throw new IndexOutOfBoundsException("entry '" + name + "' has " + e.clusters().length + " stages, no stage " + stage);
        }
        return QuantizedKvFile.leInts(read(e.key() + ".stage" + stage + ".iterations", 0, 4 * e.shape().slices()));
    }

    /**
     * Slices {@code [first, first + count)} of entry {@code name} as a {@link QuantizedKv} of shape
     * {@code [1, count, S, D]} (the entry's own shape when that is all of it); decode it with
     * {@code ReferenceDecoder} or any quantizer.
     */
    public QuantizedKv part(String name, int first, int count) throws IOException {
        StoredEntry e = stored(name);
        try {
            return e.part(first, count, this::read);
        } catch (IllegalArgumentException ex) {
            throw CorruptFileException.of(path, "entry '" + e.key() + "'", ex);
        }
    }

    private byte[] read(String tensor, long offset, int length) throws IOException {
        TensorInfo t = reader.info(tensor);
        byte[] out = new byte[length];
        long pos = reader.dataStart() + t.begin() + offset;
        FileChannel ch = reader.channel();
        for (int done = 0; done < length; ) {
            int n = Math.min(CHUNK, length - done);
            ByteBuffer buf = ByteBuffer.wrap(out, done, n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    throw new CorruptFileException(path, "tensor '" + tensor + "'", "the file changed while it was read"
                            + " (it now ends at byte " + ch.size() + ")");
                }
            }
            done += n;
        }
        return out;
    }

    /**
     * Refuses a file that changed since it was opened and verified (size, modification time or
     * identity), so that parts read from it are known to be the verified bytes.
     */
    public void requireUnchanged() throws IOException {
        BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
        if (now.size() != opened.size() || !now.lastModifiedTime().equals(opened.lastModifiedTime())
                || !Objects.equals(now.fileKey(), opened.fileKey())) {
            throw new CorruptFileException(path, "file", "the file changed while it was read (size, modification time"
                    + " or identity differ from when its checksums were verified)");
        }
    }

    private StoredEntry stored(String name) {
        StoredEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("entry " + EntryNames.printable(name) + " not in " + path + "; it holds "
                    + entries.keySet().stream().map(EntryNames::printable).toList());
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
