package dev.qvg.io;

import dev.qvg.api.config.QuantizerConfig;
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
            Map<String, StoredEntry> entries = new LinkedHashMap<>();
            for (String p : meta.getOrDefault(QuantizedKvFile.KEY_ENTRIES, "").split(",", -1)) {
                if (entries.containsKey(p)) {
                    throw new CorruptFileException(path, "metadata '" + QuantizedKvFile.KEY_ENTRIES + "'", "entry '" + p
                            + "' listed twice");
                }
                try {
                    StoredEntry e = StoredEntry.parse(p, meta, r.header().tensors());
                    e.requireBudget(e.budget());
                    entries.put(p, e);
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    throw new CorruptFileException(path, "entry '" + p + "'", e.getMessage(), e);
                }
            }
            QuantizerConfig config = QuantizedKvFile.config(path, meta);
            return new QuantizedKvStreamReader(path, r, entries, config, before);
        } catch (IOException | RuntimeException | Error e) {
            r.close();
            throw e;
        }
    }

    private static void verifyDigest(Path path, SafeTensorsReader r, String name, String expected) throws IOException {
        TensorInfo t = r.info(name);
        MessageDigest md = Checksums.sha256();
        if (t.byteLength() > 0) {
            try {
                MappedReads.read(r.channel(), r.dataStart() + t.begin(), t.byteLength(), MappedKvSlices.WINDOW,
                        (buf, off) -> md.update(buf));
            } catch (InternalError e) {
                throw new CorruptFileException(path, "tensor '" + name + "'", "the file changed while it was read", e);
            }
        }
        String actual = HexFormat.of().formatHex(md.digest());
        if (!actual.equals(expected)) {
            throw new CorruptFileException(path, "checksum of tensor '" + name + "'", "SHA-256 of its data is " + actual
                    + " but the file records " + expected + " (data corrupted)");
        }
    }

    public Path path() {
        return path;
    }

    /** Entry names in file order. */
    public List<String> entries() {
        return List.copyOf(entries.keySet());
    }

    /** The shape of the whole tensor of entry {@code name}. */
    public KvShape shape(String name) {
        return entry(name).shape();
    }

    public KvRole role(String name) {
        return entry(name).role();
    }

    public String method(String name) {
        return entry(name).method();
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
     * Slices {@code [first, first + count)} of entry {@code name} as a {@link QuantizedKv} of shape
     * {@code [1, count, S, D]} (the entry's own shape when that is all of it); decode it with
     * {@code ReferenceDecoder} or any quantizer.
     */
    public QuantizedKv part(String name, int first, int count) throws IOException {
        StoredEntry e = entry(name);
        try {
            return e.part(first, count, this::read);
        } catch (IllegalArgumentException ex) {
            throw new CorruptFileException(path, "entry '" + name + "'", ex.getMessage(), ex);
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

    private StoredEntry entry(String name) {
        StoredEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("entry '" + name + "' not in " + path + "; it holds " + entries.keySet());
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
