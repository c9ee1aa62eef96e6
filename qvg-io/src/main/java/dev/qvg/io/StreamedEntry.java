package dev.qvg.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One entry of a quantized-cache file written part by part: its component tensors, their sizes
 * and its metadata, all known from the first part and the whole tensor's shape. Every component
 * of the format is slice-major (a slice's codes, scales, zeros, centroids, ids, iteration count
 * and tail are one contiguous run of its tensor), so a part of slices {@code [f, f + g)} is the
 * byte range {@code [f, f + g) * bytesPerSlice} of each component.
 *
 * <p>The metadata and component order mirror {@link QuantizedKvFile#write}, which defines the
 * format; {@code QuantizedKvStreamWriterTest} checks the two give the same bytes.
 */
final class StreamedEntry {

    /** One component tensor: its name, dtype, whole shape and bytes per slice. */
    record Component(String name, DType dtype, long[] shape, long bytesPerSlice) {
    }

    /** The key ({@link EntryNames}): the prefix of the component tensors' and metadata names. */
    private final String name;
    /** The entry's name, recorded as {@code KEY.name} when it differs from the key. */
    private final String userName;
    private final KvShape shape;
    private final KvRole role;
    private final String method;
    private final Orientation orientation;
    private final int quantizedTokens;
    private final BlockQuantConfig quant;
    private final int rowsPerSlice;
    private final int cols;
    private final int[] clusters;
    private final Map<String, String> info;
    private final List<Component> components = new ArrayList<>();

    private StreamedEntry(String name, String userName, KvShape shape, QuantizedKv first) {
        this.name = name;
        this.userName = userName;
        this.shape = shape;
        this.role = first.role();
        this.method = first.method();
        this.orientation = first.orientation();
        this.quantizedTokens = first.quantizedTokens();
        this.info = first.info();
        int g = first.shape().slices(), n = shape.slices(), D = shape.headDim();
        PackedBlocks b = first.blocks();
        this.quant = b == null ? null : b.config();
        this.rowsPerSlice = b == null ? 0 : b.rows() / g;
        this.cols = b == null ? 0 : b.cols();
        if (b != null) {
            long rows = (long) rowsPerSlice * n;
            components.add(new Component(name + ".codes", DType.U8, new long[] {rows, b.bytesPerRow()},
                    (long) rowsPerSlice * b.bytesPerRow()));
            DType scaleType = QuantizedKvFile.scaleDType(quant);
            long scaleBytes = (long) rowsPerSlice * b.blocksPerRow() * scaleType.size();
            long[] scaleShape = {rows, b.blocksPerRow()};
            components.add(new Component(name + ".scales", scaleType, scaleShape, scaleBytes));
            if (b.zeros() != null) {
                components.add(new Component(name + ".zeros", scaleType, scaleShape, scaleBytes));
            }
        }
        this.clusters = new int[first.stages().size()];
        for (int i = 0; i < clusters.length; i++) {
            ClusterStage st = first.stages().get(i);
            clusters[i] = st.clusters();
            String sp = name + ".stage" + i;
            components.add(new Component(sp + ".centroids", QuantizedKvFile.BF16_BITS,
                    new long[] {n, st.clusters(), D}, (long) st.clusters() * D * 2));
            DType idType = st.idBits() == 8 ? DType.U8 : DType.U16;
            components.add(new Component(sp + ".ids", idType, new long[] {n, quantizedTokens},
                    (long) quantizedTokens * idType.size()));
            components.add(new Component(sp + ".iterations", DType.I32, new long[] {n}, 4));
        }
        int tail = shape.tokens() - quantizedTokens;
        if (tail > 0) {
            components.add(new Component(name + ".tail", QuantizedKvFile.BF16_BITS,
                    new long[] {shape.batch(), shape.heads(), tail, D}, (long) tail * D * 2));
        }
    }

    /**
     * The layout of the entry keyed {@code name} and named {@code userName} ({@link EntryNames}) of
     * the whole tensor {@code shape}, from its first part.
     */
    static StreamedEntry of(String name, String userName, KvShape shape, QuantizedKv firstPart) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(firstPart, "part");
        KvShape p = firstPart.shape();
        if (p.tokens() != shape.tokens() || p.headDim() != shape.headDim() || p.slices() > shape.slices()) {
            throw new IllegalArgumentException("entry '" + name + "': a part of shape " + p + " is not slices of " + shape);
        }
        return new StreamedEntry(name, userName, shape, firstPart);
    }

    /** The key. */
    String name() {
        return name;
    }

    String userName() {
        return userName;
    }

    KvShape shape() {
        return shape;
    }

    List<Component> components() {
        return components;
    }

    /** Bytes of the whole entry (all components). */
    long bytes() {
        long sum = 0;
        for (Component c : components) {
            sum += c.bytesPerSlice() * shape.slices();
        }
        return sum;
    }

    /**
     * Refuses a part whose structure differs from the first one's: a method whose parts are not
     * slices of one encoding (other orientation, token split, block config, stages, info) cannot
     * be streamed, and writing it would produce a file that misdescribes its data.
     */
    void requireSameStructure(QuantizedKv part, int firstSlice) {
        KvShape p = part.shape();
        String problem = null;
        if (p.tokens() != shape.tokens() || p.headDim() != shape.headDim()) {
            problem = "shape " + p + " is not slices of " + shape;
        } else if (part.role() != role || !part.method().equals(method) || part.orientation() != orientation) {
            problem = "role, method or orientation differs (" + part.role() + " " + part.method() + " "
                    + part.orientation() + " after " + role + " " + method + " " + orientation + ")";
        } else if (part.quantizedTokens() != quantizedTokens) {
            problem = part.quantizedTokens() + " quantized tokens after " + quantizedTokens;
        } else if (!blocksMatch(part.blocks(), p.slices())) {
            problem = "its blocks differ in config or size";
        } else if (!stagesMatch(part.stages())) {
            problem = "its stages differ";
        } else if (!part.info().equals(info)) {
            problem = "its info " + part.info() + " differs from " + info;
        }
        if (problem != null) {
            throw new IllegalArgumentException("entry '" + name + "': the part at slice " + firstSlice
                    + " does not continue the first part: " + problem + "; this method cannot be written part by part");
        }
    }

    private boolean blocksMatch(PackedBlocks b, int slices) {
        if (b == null || quant == null) {
            return b == null && quant == null;
        }
        return b.config().equals(quant) && b.cols() == cols && b.rows() == (long) rowsPerSlice * slices;
    }

    private boolean stagesMatch(List<ClusterStage> stages) {
        if (stages.size() != clusters.length) {
            return false;
        }
        for (int i = 0; i < clusters.length; i++) {
            if (stages.get(i).clusters() != clusters[i]) {
                return false;
            }
        }
        return true;
    }

    /** The part's little-endian bytes of each component, in {@link #components()} order. */
    List<byte[]> encode(QuantizedKv part) {
        List<byte[]> out = new ArrayList<>(components.size());
        PackedBlocks b = part.blocks();
        if (b != null) {
            out.add(b.codes());
            out.add(QuantizedKvFile.encodeScales(quant.scalePrecision(), b.scales()));
            if (b.zeros() != null) {
                out.add(QuantizedKvFile.encodeScales(quant.scalePrecision(), b.zeros()));
            }
        }
        for (ClusterStage st : part.stages()) {
            out.add(QuantizedKvFile.shortsLe(st.centroids()));
            out.add(ids(st));
            out.add(QuantizedKvFile.intsLe(st.iterations()));
        }
        if (shape.tokens() > quantizedTokens) {
            out.add(QuantizedKvFile.shortsLe(part.fullPrecisionTail()));
        }
        int g = part.shape().slices();
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).length != components.get(i).bytesPerSlice() * g) {
                throw new IllegalStateException("entry '" + name + "': " + components.get(i).name() + " of a part of " + g
                        + " slices has " + out.get(i).length + " bytes, expected " + components.get(i).bytesPerSlice() * g);
            }
        }
        return out;
    }

    private static byte[] ids(ClusterStage st) {
        int[] ids = st.ids();
        if (st.idBits() == 8) {
            byte[] out = new byte[ids.length];
            for (int j = 0; j < ids.length; j++) {
                out[j] = (byte) ids[j];
            }
            return out;
        }
        short[] sh = new short[ids.length];
        for (int j = 0; j < sh.length; j++) {
            sh[j] = (short) ids[j];
        }
        return QuantizedKvFile.shortsLe(sh);
    }

    /** Exact storage of the whole entry, component by component, as {@link QuantizedKv#budget()} counts it. */
    BitBudget budget() {
        return EntryBudgets.of(shape, quant, rowsPerSlice, cols, clusters, quantizedTokens);
    }

    /** This entry's metadata, in the order {@link QuantizedKvFile#write} puts it. */
    Map<String, String> metadata() {
        String p = name;
        Map<String, String> meta = new LinkedHashMap<>();
        if (!userName.equals(p)) {
            meta.put(p + EntryNames.NAME_SUFFIX, userName);
        }
        meta.put(p + ".shape", shape.batch() + "," + shape.heads() + "," + shape.tokens() + "," + shape.headDim());
        meta.put(p + ".role", role.name());
        meta.put(p + ".method", method);
        meta.put(p + ".orientation", orientation.name());
        meta.put(p + ".quantized_tokens", Integer.toString(quantizedTokens));
        if (quant != null) {
            meta.put(p + ".bits", Integer.toString(quant.bits()));
            meta.put(p + ".block_size", Integer.toString(quant.blockSize()));
            meta.put(p + ".symmetric", Boolean.toString(quant.symmetric()));
            meta.put(p + ".scale_precision", quant.scalePrecision().name());
            meta.put(p + ".rows", Long.toString((long) rowsPerSlice * shape.slices()));
            meta.put(p + ".cols", Integer.toString(cols));
        }
        meta.put(p + ".stages", Integer.toString(clusters.length));
        for (int i = 0; i < clusters.length; i++) {
            meta.put(p + ".stage" + i + ".clusters", Integer.toString(clusters[i]));
        }
        meta.put(p + ".tail_tokens", Integer.toString(shape.tokens() - quantizedTokens));
        EntryBudgets.put(meta, p, budget());
        try {
            meta.put(p + ".info", SafeTensorsHeader.JSON.writeValueAsString(new TreeMap<>(info)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
        return meta;
    }
}
