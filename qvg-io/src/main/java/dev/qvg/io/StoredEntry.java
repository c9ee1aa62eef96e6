package dev.qvg.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One entry of a quantized-cache file as its metadata and tensor list describe it, checked
 * before any data is read; {@link #part} then builds the {@link QuantizedKv} of any run of slices
 * from byte ranges of the component tensors (the whole entry for {@link QuantizedKvFile#read},
 * a group of slices for {@link QuantizedKvStreamReader}). Every problem is an
 * {@link IllegalArgumentException} (or an index error) that the readers report as a
 * {@link CorruptFileException} naming the entry.
 */
final class StoredEntry {

    /** Reads {@code length} bytes at {@code offset} into the data of tensor {@code tensor}. */
    @FunctionalInterface
    interface Bytes {
        byte[] read(String tensor, long offset, int length) throws IOException;
    }

    /** The key: the prefix of the entry's tensors and metadata ({@link EntryNames}). */
    private final String key;
    /** The entry's name as the user knows it ({@code KEY.name}, else the key). */
    private final String name;
    private final KvShape shape;
    private final KvRole role;
    private final String method;
    private final Orientation orientation;
    private final int quantized;
    private final BlockQuantConfig quant;
    private final int rowsPerSlice;
    private final int cols;
    private final int[] clusters;
    private final Map<String, String> info;
    private final QuantizerConfigMetadata.Fields fields;

    private StoredEntry(String key, String name, KvShape shape, KvRole role, String method, Orientation orientation,
                        int quantized, BlockQuantConfig quant, int rowsPerSlice, int cols, int[] clusters,
                        Map<String, String> info, QuantizerConfigMetadata.Fields fields) {
        this.key = key;
        this.name = name;
        this.shape = shape;
        this.role = role;
        this.method = method;
        this.orientation = orientation;
        this.quantized = quantized;
        this.quant = quant;
        this.rowsPerSlice = rowsPerSlice;
        this.cols = cols;
        this.clusters = clusters;
        this.info = info;
        this.fields = fields;
    }

    /**
     * Entry {@code p} (its key, from {@code qvg.entries}) of a file with {@code meta} and tensors
     * {@code infos}, checked against each other. Its name is {@code p.name} when recorded, else
     * the key (files written before names were recorded).
     */
    static StoredEntry parse(String p, Map<String, String> meta, Map<String, TensorInfo> infos) {
        if (!EntryNames.isKey(p)) {
            // the writers never make one; tools that write a file per entry name it by the key
            throw new IllegalArgumentException("entry key " + EntryNames.quote(p) + " in '" + QuantizedKvFile.KEY_ENTRIES
                    + "' must be 1-" + EntryNames.MAX_KEY_LENGTH + " of [A-Za-z0-9_] (other names are recorded in 'KEY"
                    + EntryNames.NAME_SUFFIX + "')");
        }
        String name = meta.getOrDefault(p + EntryNames.NAME_SUFFIX, p);
        EntryNames.requireValid(name);
        QuantizerConfigMetadata.Fields f = new QuantizerConfigMetadata.Fields(meta, p + ".");
        long[] dims = Arrays.stream(f.text("shape").split(",", -1)).mapToLong(Long::parseLong).toArray();
        if (dims.length != 4) {
            throw new IllegalArgumentException("metadata '" + p + ".shape' must have 4 dimensions, got " + f.text("shape"));
        }
        KvShape shape = KvShapes.fromDims(dims, Layout.BHSD);
        KvRole role = KvRole.valueOf(f.text("role"));
        Orientation orientation = Orientation.valueOf(f.text("orientation"));
        int quantized = f.integer("quantized_tokens");
        if (quantized < 0 || quantized > shape.tokens()) {
            throw new IllegalArgumentException("metadata '" + p + ".quantized_tokens' is " + quantized + ", outside 0.."
                    + shape.tokens());
        }
        int n = shape.slices(), D = shape.headDim();
        BlockQuantConfig quant = null;
        int rowsPerSlice = 0, cols = 0;
        if (infos.containsKey(p + ".codes")) {
            quant = new BlockQuantConfig(f.integer("bits"), f.integer("block_size"), f.bool("symmetric"),
                    ScalePrecision.valueOf(f.text("scale_precision")));
            int rows = f.integer("rows");
            cols = f.integer("cols");
            if (quantized == 0) {
                throw new IllegalArgumentException("quantized kv: blocks present but no token is quantized");
            }
            int wantRows = orientation == Orientation.TOKEN_MAJOR ? n * quantized : n * D;
            int wantCols = orientation == Orientation.TOKEN_MAJOR ? D : quantized;
            if (rows != wantRows || cols != wantCols) {
                throw new IllegalArgumentException("quantized kv: blocks are [" + rows + ", " + cols + "], expected ["
                        + wantRows + ", " + wantCols + "] for " + shape + " " + orientation + " with " + quantized
                        + " quantized tokens");
            }
            rowsPerSlice = rows / n;
            long[] scaleShape = {rows, quant.blocksPerRow(cols)};
            requireTensor(infos, p + ".codes", DType.U8, new long[] {rows, quant.packedBytesPerRow(cols)});
            requireTensor(infos, p + ".scales", QuantizedKvFile.scaleDType(quant), scaleShape);
            if (!quant.symmetric()) {
                requireTensor(infos, p + ".zeros", QuantizedKvFile.scaleDType(quant), scaleShape);
            }
        } else if (quantized > 0) {
            throw new IllegalArgumentException("tensor '" + p + ".codes' missing: " + quantized + " tokens are quantized");
        }
        int stageCount = f.integer("stages");
        if (stageCount < 0 || stageCount > QuantizerConfig.MAX_STAGES) {
            throw new IllegalArgumentException("metadata '" + p + ".stages' must be in 0.." + QuantizerConfig.MAX_STAGES
                    + ", got " + stageCount);
        }
        int[] clusters = new int[stageCount];
        for (int i = 0; i < stageCount; i++) {
            String sp = p + ".stage" + i;
            int k = new QuantizerConfigMetadata.Fields(meta, sp + ".").integer("clusters");
            if (k < 1 || k > 65536) {
                throw new IllegalArgumentException("metadata '" + sp + ".clusters' must be in 1..65536, got " + k);
            }
            if (quantized == 0) {
                throw new IllegalArgumentException("cluster stage: slices, tokens, dim and clusters must be positive");
            }
            clusters[i] = k;
            requireTensor(infos, sp + ".centroids", QuantizedKvFile.BF16_BITS, new long[] {n, k, D});
            requireTensor(infos, sp + ".ids", k <= 256 ? DType.U8 : DType.U16, new long[] {n, quantized});
            requireTensor(infos, sp + ".iterations", DType.I32, new long[] {n});
        }
        int tailTokens = shape.tokens() - quantized;
        if (f.integer("tail_tokens") != tailTokens) {
            throw new IllegalArgumentException("metadata '" + p + ".tail_tokens' is " + f.integer("tail_tokens")
                    + " but shape and quantized_tokens imply " + tailTokens);
        }
        if (tailTokens > 0) {
            requireTensor(infos, p + ".tail", QuantizedKvFile.BF16_BITS, new long[] {shape.batch(), shape.heads(), tailTokens, D});
        }
        Map<String, String> info;
        try {
            info = SafeTensorsHeader.JSON.readValue(f.text("info"), new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata '" + p + ".info' is not a JSON object of strings: "
                    + e.getOriginalMessage());
        }
        if (info != null && info.containsValue(null)) {
            // Jackson maps a JSON null to a null value, which QuantizedKv's Map.copyOf would reject with an NPE.
            throw new IllegalArgumentException("metadata '" + p + ".info' holds a null value; it must be a JSON object of strings");
        }
        return new StoredEntry(p, name, shape, role, f.text("method"), orientation, quantized, quant, rowsPerSlice, cols,
                clusters, info, f);
    }

    private static void requireTensor(Map<String, TensorInfo> infos, String name, DType dtype, long[] shape) {
        TensorInfo t = infos.get(name);
        if (t == null) {
            throw new IllegalArgumentException("tensor '" + name + "' missing");
        }
        if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor '" + name + "' is " + t.dtype() + " " + t.shapeString()
                    + ", expected " + dtype + " " + Arrays.toString(shape));
        }
    }

    /** The names of the tensors this entry is made of (every one required by {@link #parse}). */
    List<String> tensorNames() {
        List<String> out = new ArrayList<>();
        if (quant != null) {
            out.add(key + ".codes");
            out.add(key + ".scales");
            if (!quant.symmetric()) {
                out.add(key + ".zeros");
            }
        }
        for (int i = 0; i < clusters.length; i++) {
            for (String t : new String[] {"centroids", "ids", "iterations"}) {
                out.add(key + ".stage" + i + "." + t);
            }
        }
        if (quantized < shape.tokens()) {
            out.add(key + ".tail");
        }
        return out;
    }

    /**
     * Refuses negative k-means iteration counts in {@code iterations} (the little-endian I32
     * data of stage {@code stage}'s tensor): no clusterer reports them, so the file was edited.
     */
    void requireIterations(int stage, byte[] iterations) {
        int[] it = QuantizedKvFile.leInts(iterations);
        for (int i = 0; i < it.length; i++) {
            if (it[i] < 0) {
                throw new IllegalArgumentException("tensor '" + key + ".stage" + stage + ".iterations': slice " + i
                        + " records " + it[i] + " k-means iterations; a count cannot be negative");
            }
        }
    }

    /** The key ({@link EntryNames}): the prefix of this entry's tensor and metadata names. */
    String key() {
        return key;
    }

    /** The entry's name ({@link EntryNames}): what the user's tensor was called. */
    String name() {
        return name;
    }

    KvShape shape() {
        return shape;
    }

    KvRole role() {
        return role;
    }

    String method() {
        return method;
    }

    Orientation orientation() {
        return orientation;
    }

    int quantizedTokens() {
        return quantized;
    }

    /** The block quantizer's config, null when nothing is quantized. */
    BlockQuantConfig quant() {
        return quant;
    }

    /** Clusters per stage. */
    int[] clusters() {
        return clusters.clone();
    }

    Map<String, String> info() {
        return info == null ? Map.of() : Map.copyOf(info);
    }

    /** {@code budget.total_bits} as the file records it. */
    long declaredTotalBits() {
        return fields.longValue("budget.total_bits");
    }

    /** Refuses an entry whose recorded {@code budget.total_bits} is not what its components add up to. */
    void requireBudget(BitBudget actual) {
        if (actual.totalBits() != declaredTotalBits()) {
            throw new IllegalArgumentException("metadata '" + key + ".budget.total_bits' is " + fields.text("budget.total_bits")
                    + " but the stored components add up to " + actual.totalBits());
        }
    }

    /** Exact storage of the whole entry, as {@link QuantizedKv#budget()} would count it. */
    BitBudget budget() {
        return EntryBudgets.of(shape, quant, rowsPerSlice, cols, clusters, quantized);
    }

    /**
     * The {@link QuantizedKv} of slices {@code [first, first + count)}: the entry's own shape when
     * that is all of it, else {@code [1, count, S, D]}. Ids are checked against the cluster count.
     */
    QuantizedKv part(int first, int count, Bytes bytes) throws IOException {
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim();
        if (first < 0 || count < 1 || (long) first + count > n) {
            throw new IndexOutOfBoundsException("entry '" + key + "': slices [" + first + ", " + ((long) first + count)
                    + ") outside 0.." + n);
        }
        KvShape ps = first == 0 && count == n ? shape : new KvShape(1, count, S, D);
        PackedBlocks blocks = null;
        if (quant != null) {
            int bpr = quant.packedBytesPerRow(cols), blocksPerRow = quant.blocksPerRow(cols);
            int rows = rowsPerSlice * count;
            int scaleSize = QuantizedKvFile.scaleDType(quant).size();
            byte[] codes = slices(bytes, key + ".codes", (long) rowsPerSlice * bpr, first, count);
            short[] scales = decodeScales(slices(bytes, key + ".scales", (long) rowsPerSlice * blocksPerRow * scaleSize,
                    first, count));
            short[] zeros = quant.symmetric() ? null : decodeScales(slices(bytes, key + ".zeros",
                    (long) rowsPerSlice * blocksPerRow * scaleSize, first, count));
            blocks = new PackedBlocks(rows, cols, quant, codes, scales, zeros);
        }
        List<ClusterStage> stages = new ArrayList<>();
        for (int i = 0; i < clusters.length; i++) {
            String sp = key + ".stage" + i;
            int k = clusters[i];
            short[] cents = QuantizedKvFile.leShorts(slices(bytes, sp + ".centroids", (long) k * D * 2, first, count));
            DType idType = k <= 256 ? DType.U8 : DType.U16;
            byte[] idBytes = slices(bytes, sp + ".ids", (long) quantized * idType.size(), first, count);
            int[] ids = new int[count * quantized];
            if (idType == DType.U8) {
                for (int j = 0; j < ids.length; j++) {
                    ids[j] = idBytes[j] & 0xFF;
                }
            } else {
                short[] sh = QuantizedKvFile.leShorts(idBytes);
                for (int j = 0; j < ids.length; j++) {
                    ids[j] = sh[j] & 0xFFFF;
                }
            }
            int[] iters = QuantizedKvFile.leInts(slices(bytes, sp + ".iterations", 4, first, count));
            stages.add(new ClusterStage(count, quantized, D, k, cents, ids, iters));
        }
        int tail = S - quantized;
        short[] tailBits = tail == 0 ? new short[0]
                : QuantizedKvFile.leShorts(slices(bytes, key + ".tail", (long) tail * D * 2, first, count));
        return new QuantizedKv(ps, role, method, orientation, quantized, blocks, stages, tailBits, info);
    }

    private static byte[] slices(Bytes bytes, String tensor, long perSlice, int first, int count) throws IOException {
        long length = perSlice * count;
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + tensor + "': " + length + " bytes of " + count
                    + " slices are too many for one array");
        }
        return bytes.read(tensor, perSlice * first, (int) length);
    }

    private short[] decodeScales(byte[] raw) {
        if (quant.scalePrecision() == ScalePrecision.BF16) {
            return QuantizedKvFile.leShorts(raw);
        }
        short[] out = new short[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = (short) (raw[i] & 0xFF);
        }
        return out;
    }
}
