package dev.qvg.io;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a quantized-cache file ({@link QuantizedKvFile}'s format, the same bytes) from parts of
 * its entries, so a tensor far larger than the heap is compressed group of slices by group: each
 * part ({@code Quantizer.quantizeSlices}) is encoded, hashed and written at once, and only the
 * small per-entry layout is kept.
 *
 * <pre>{@code
 * try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(out, config, force)) {
 *     w.beginEntry("k", shape);
 *     for (...) w.write(quantizer.quantizeSlices(part, role, first), first);   // parts in slice order
 *     w.commit();                                                            // the file appears here
 * }
 * }</pre>
 *
 * <p>How: the data section goes to a hidden temporary file beside the target as parts arrive,
 * each component tensor's SHA-256 updated in the order its bytes are defined; the header (which
 * holds those digests and whose length depends on every entry's metadata) is built by
 * {@link #commit()}, and the target is then written atomically as header plus a kernel-side copy
 * of the data ({@link AtomicFiles}). The output is small next to the input (2-4 bits per value),
 * so the copy costs little and needs no memory. Nothing appears at the target unless
 * {@code commit} succeeds; {@link #close()} always removes the temporary file.
 */
public final class QuantizedKvStreamWriter implements AutoCloseable {

    /** Largest single write: larger heap buffers make the JDK cache direct buffers that large per thread. */
    private static final int CHUNK = 1 << 20;

    private final Path target;
    private final QuantizerConfig config;
    private final boolean force;
    private final Path dataFile;
    /** The temporary data file: written through {@link #data}, which names the target in failures; copied from raw. */
    private final FileChannel raw;
    private final FileChannel data;
    private final List<Finished> finished = new ArrayList<>();
    private long dataSize;

    /** The entry being written: its layout once the first part arrived, the next slice, the digests. */
    private String currentName;
    private String currentKey;
    private KvShape currentShape;
    private StreamedEntry current;
    private MessageDigest[] digests;
    private int nextSlice;

    private record Finished(StreamedEntry entry, String[] sha256) {
    }

    private QuantizedKvStreamWriter(Path target, QuantizerConfig config, boolean force, Path dataFile, FileChannel data) {
        this.target = target;
        this.config = config;
        this.force = force;
        this.dataFile = dataFile;
        this.raw = data;
        this.data = new OutputChannel(data, target);
    }

    /**
     * Starts a file at {@code path} holding {@code config} (null: no config, as when entries were
     * quantized with different ones). Refuses an existing {@code path} at once unless {@code force}
     * (checked again when the file is published).
     */
    public static QuantizedKvStreamWriter create(Path path, QuantizerConfig config, boolean force) throws IOException {
        Path abs = Objects.requireNonNull(path, "path").toAbsolutePath();
        AtomicFiles.checkTarget(abs, force);
        Path tmp = AtomicFiles.createTemp(abs);
        try {
            FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new QuantizedKvStreamWriter(abs, config, force, tmp, ch);
        } catch (IOException | RuntimeException e) {
            TempFiles.delete(tmp);
            throw e;
        }
    }

    /**
     * Starts entry {@code name} of the whole tensor {@code shape}; the previous one must be
     * complete. The name is kept exactly (any name {@link EntryNames} accepts: {@code layers.0.k}
     * reads back as {@code layers.0.k}); the entry's key is chosen as {@link QuantizedKvFile#write}
     * chooses it, so both writers give the same bytes.
     */
    public void beginEntry(String name, KvShape shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        requireNoOpenEntry("begin entry " + EntryNames.printable(name));
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (Finished f : finished) {
            if (f.entry().userName().equals(name)) {
                throw new IllegalArgumentException("entry " + EntryNames.printable(name) + " written twice");
            }
            keys.add(f.entry().name());
        }
        currentKey = EntryNames.keyFor(name, keys);
        currentName = name;
        currentShape = shape;
        nextSlice = 0;
    }

    /**
     * Writes {@code part}, the quantization of slices {@code [firstSlice, firstSlice + part
     * slices)} of the current entry; parts come in slice order, each continuing the previous.
     */
    public void write(QuantizedKv part, int firstSlice) throws IOException {
        Objects.requireNonNull(part, "part");
        if (currentName == null) {
            throw new IllegalStateException("write: no entry begun (beginEntry first)");
        }
        if (firstSlice != nextSlice) {
            throw new IllegalArgumentException("entry '" + currentName + "': parts must come in slice order; expected slice "
                    + nextSlice + ", got " + firstSlice);
        }
        int g = part.shape().slices();
        if ((long) firstSlice + g > currentShape.slices()) {
            throw new IllegalArgumentException("entry '" + currentName + "': a part of " + g + " slices at slice " + firstSlice
                    + " runs past the " + currentShape.slices() + " slices of " + currentShape);
        }
        if (current == null) {
            String problem = QuantizedKvFile.disagreement(config, currentName, part.method(),
                    part.blocks() == null ? null : part.blocks().config());
            if (problem != null) { // never write what the readers refuse
                throw new IllegalArgumentException("config: " + problem);
            }
            current = StreamedEntry.of(currentKey, currentName, currentShape, part);
            digests = new MessageDigest[current.components().size()];
            for (int i = 0; i < digests.length; i++) {
                digests[i] = Checksums.sha256();
            }
        }
        current.requireSameStructure(part, firstSlice);
        List<byte[]> bytes = current.encode(part);
        long offset = dataSize;
        for (int i = 0; i < bytes.size(); i++) {
            StreamedEntry.Component c = current.components().get(i);
            byte[] b = bytes.get(i);
            digests[i].update(b);
            writeAt(b, offset + c.bytesPerSlice() * firstSlice);
            offset += c.bytesPerSlice() * currentShape.slices();
        }
        nextSlice += g;
        if (nextSlice == currentShape.slices()) {
            String[] sha = new String[digests.length];
            for (int i = 0; i < sha.length; i++) {
                sha[i] = HexFormat.of().formatHex(digests[i].digest());
            }
            finished.add(new Finished(current, sha));
            dataSize += current.bytes();
            currentName = null;
            currentKey = null;
            currentShape = null;
            current = null;
            digests = null;
        }
    }

    private void writeAt(byte[] b, long position) throws IOException {
        // the channel names the target in any failure (OutputChannel)
        for (int off = 0; off < b.length; off += CHUNK) {
            ByteBuffer buf = ByteBuffer.wrap(b, off, Math.min(CHUNK, b.length - off));
            long pos = position + off;
            while (buf.hasRemaining()) {
                pos += data.write(buf, pos);
            }
        }
    }

    /**
     * Publishes the file: header (metadata, digests) plus the data written so far. Every entry
     * begun must be complete, and there must be at least one.
     */
    public void commit() throws IOException {
        requireNoOpenEntry("commit");
        if (finished.isEmpty()) {
            throw new IllegalArgumentException("entries: a quantized-cache file needs at least one entry");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(QuantizedKvFile.KEY_FORMAT, QuantizedKvFile.FORMAT);
        meta.put(QuantizedKvFile.KEY_VERSION, Integer.toString(QuantizedKvFile.FORMAT_VERSION));
        meta.put(QuantizedKvFile.KEY_ENTRIES, String.join(",", finished.stream().map(f -> f.entry().name()).toList()));
        if (config != null) {
            meta.putAll(QuantizerConfigMetadata.toMetadata(config));
        }
        List<SafeTensorsWriter.HeaderTensor> tensors = new ArrayList<>();
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        long offset = 0;
        for (Finished f : finished) {
            meta.putAll(f.entry().metadata());
            long n = f.entry().shape().slices();
            for (StreamedEntry.Component c : f.entry().components()) {
                long bytes = c.bytesPerSlice() * n;
                tensors.add(new SafeTensorsWriter.HeaderTensor(c.name(), c.dtype(), c.shape(), bytes));
                infos.put(c.name(), new TensorInfo(c.name(), c.dtype(), c.shape(), offset, offset + bytes));
                offset += bytes;
            }
        }
        for (Finished f : finished) {
            List<StreamedEntry.Component> cs = f.entry().components();
            for (int i = 0; i < cs.size(); i++) {
                meta.put(QuantizedKvFile.SHA_PREFIX + cs.get(i).name(), f.sha256()[i]);
            }
        }
        meta.put(QuantizedKvFile.KEY_HEADER_SHA, Checksums.headerDigest(meta, infos, QuantizedKvFile.KEY_HEADER_SHA));
        byte[] header = SafeTensorsWriter.headerBytes(meta, tensors);
        long total = offset;
        AtomicFiles.write(target, force, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            SafeTensorsWriter.writeFully(ch, len);
            SafeTensorsWriter.writeFully(ch, ByteBuffer.wrap(header));
            raw.position(0);
            for (long done = 0; done < total; ) {
                // from the output's side (OutputChannel.transferFrom), the source a plain file channel:
                // the copy stays in the kernel
                long n = ch.transferFrom(raw, 8 + header.length + done, total - done);
                if (n <= 0 && raw.size() < total) {
                    throw new IOException("temporary data of " + target + " is shorter than written");
                }
                done += n;
            }
        });
    }

    private void requireNoOpenEntry(String what) {
        if (currentName != null) {
            throw new IllegalStateException(what + ": entry '" + currentName + "' is incomplete (" + nextSlice + " of "
                    + currentShape.slices() + " slices written)");
        }
    }

    /** Removes the temporary data; the target is untouched unless {@link #commit()} succeeded. */
    @Override
    public void close() throws IOException {
        try {
            data.close();
        } finally {
            TempFiles.delete(dataFile);
        }
    }
}
