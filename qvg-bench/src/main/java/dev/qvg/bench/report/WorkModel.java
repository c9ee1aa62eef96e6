package dev.qvg.bench.report;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.bench.BenchShapes;
import dev.qvg.bench.limits.MemoryCopyBenchmark;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The work each benchmark's operation does, so a time becomes a rate comparable with a limit.
 * Byte counts are the least traffic the operation needs (every input read once, every output
 * written once; float32 = 4 bytes, ids as the int32 arrays the API passes, centroids as stored
 * bf16); FLOP counts take only the dominant term ({@code 2 S K D} for a distance product).
 * Shapes come from each row's parameters; D and K are {@link BenchShapes}' fixed values.
 */
public final class WorkModel {

    static final int D = BenchShapes.D;
    static final int K = BenchShapes.K;

    private static final Map<String, KernelSpec> SPECS = new LinkedHashMap<>();

    static {
        add(new KernelSpec("MemoryCopyBenchmark.copy", "memory copy (limit)", Bound.LIMIT_MEMORY,
                r -> new Work(2.0 * MemoryCopyBenchmark.BYTES, 0, 0), ""));
        add(new KernelSpec("SgemmBenchmark.gemm", "SGEMM X.C^T via ND4J (limit)", Bound.LIMIT_FLOPS,
                r -> new Work(0, distanceFlops(r.intParam("S")), r.intParam("S")), ""));
        add(new KernelSpec("KMeansBenchmark.iteration", "k-means iteration (assign + update)", Bound.FLOPS,
                r -> new Work(0, distanceFlops(r.intParam("S")), r.intParam("S")),
                "besides the distance product (the FLOP counted) an iteration does the arg-min over K for every "
                        + "row, the centroid update (a pass over the points) and any copy of points or distances "
                        + "into a BLAS library's buffers; none of that is in the FLOP count"));
        add(new KernelSpec("KMeansBenchmark.assign", "k-means assignment", Bound.FLOPS,
                r -> new Work(0, distanceFlops(r.intParam("S")), r.intParam("S")),
                "the arg-min over K for every row and any copy of points or distances (into native BLAS "
                        + "buffers, say) add time the FLOP count leaves out; a pure-Java distance loop also runs "
                        + "well below a tuned SGEMM"));
        add(new KernelSpec("KMeansBenchmark.cluster", "whole k-means of one slice (Backend.cluster, "
                + BenchShapes.LAYER_ITERS + " iters)", Bound.FLOPS,
                r -> new Work(0, BenchShapes.LAYER_ITERS * distanceFlops(r.intParam("S")), r.intParam("S")),
                "the iterations' own costs (see the k-means iteration) plus the seeded initialisation; this is "
                        + "one slice of the real-job benchmark (scripts/layer-bench.sh)"));
        add(new KernelSpec("BlockCodecBenchmark.quantizePack", "block quantize + pack", Bound.MEMORY,
                r -> quantizeWork(r), "each block is read twice (a reduction for its scale, then comparisons "
                + "with its thresholds and bit packing); where the SIMD kernels are off (see the caveat line) or "
                + "the configuration is not INT2, that is scalar work of a few ns per value, more than the "
                + "4.3 bytes it moves"));
        add(new KernelSpec("BlockCodecBenchmark.unpackDequant", "unpack + dequant", Bound.MEMORY,
                r -> dequantWork(r, 0), "each value is unpacked with shifts and masks and multiplied by its scale; "
                + "without the SIMD kernels that scalar unpacking costs more than writing 4 bytes"));
        add(new KernelSpec("BlockCodecBenchmark.decode", "decode = unpack + dequant + accumulate (1 stage)", Bound.MEMORY,
                r -> dequantWork(r, 1), "bit unpacking, a multiply per value and the gather of each token's "
                + "centroid row (the K rows are counted once; every token reads one from cache) are per-value work "
                + "that costs more than the about 4.3 bytes per value it moves"));
        add(new KernelSpec("CompressBenchmark.sasCompress", "SAS compression of one span (1 stage, "
                + BenchShapes.COMPRESS_ITERS + " iters)", Bound.FLOPS,
                r -> compressWork(r, 1), "k-means dominates: see the k-means iteration's figure; the rest "
                + "(init, subtraction, block quantization) adds memory passes"));
        add(new KernelSpec("CompressBenchmark.prqCompress", "PRQ compression of one span (" + BenchShapes.PRQ_STAGES
                + " stages, " + BenchShapes.COMPRESS_ITERS + " iters)", Bound.FLOPS,
                r -> compressWork(r, BenchShapes.PRQ_STAGES), "k-means dominates: see the k-means iteration's "
                + "figure; each stage adds a subtraction pass"));
        add(new KernelSpec("CacheReadBenchmark.readQuantized", "cache read, quantized history (qvg-models)",
                Bound.MEMORY, r -> readQuantizedWork(r), "each span is decoded in place (Quantizer.dequantizeInto, "
                + "the fused decode), but every read allocates its result, which the JVM zeroes first: one more "
                + "pass over the output (see the readInto row)"));
        add(new KernelSpec("CacheReadBenchmark.readQuantizedInto", "cache read into a kept buffer, quantized history "
                + "(qvg-models)", Bound.MEMORY, r -> readQuantizedWork(r), "as the read above, into the caller's "
                + "array: no allocation, no zeroing"));
        add(new KernelSpec("CacheReadBenchmark.readBf16", "cache read, BF16 history (qvg-models)", Bound.MEMORY,
                r -> new Work(6.0 * r.intParam("S") * D, 0, r.intParam("S")), "BF16 is widened to float32 one "
                + "value at a time in Java"));
        add(new KernelSpec("AttentionBenchmark.attendQuantized", "attention over quantized KV (" + BenchShapes.ATTENTION_QUERIES
                + " queries)", Bound.FLOPS, r -> attentionWork(r), "the whole K and V history is read (dequantized) "
                + "and copied into ND4J before the two products; the softmax is ND4J's, a separate pass over the "
                + "scores (not fused as in a flash-attention kernel)"));
        add(new KernelSpec("AttentionBenchmark.attendQuantizedStreamed", "span-streamed attention over quantized KV ("
                + BenchShapes.ATTENTION_QUERIES + " queries)", Bound.FLOPS, r -> attentionWork(r), "each span is "
                + "decoded and multiplied on its own (smaller GEMMs of one span's keys), and the softmax pieces "
                + "(row maxima, exp, row sums) are separate ND4J passes per span; the accumulators are rescaled "
                + "per span in Java"));
        add(new KernelSpec("AttentionBenchmark.attendBf16", "attention over BF16 KV (" + BenchShapes.ATTENTION_QUERIES
                + " queries)", Bound.FLOPS, r -> attentionWork(r), "the history is widened from BF16 and copied into "
                + "ND4J before the products; the softmax is a separate ND4J pass"));
    }

    private WorkModel() {
    }

    static void add(KernelSpec spec) {
        SPECS.put(spec.key(), spec);
    }

    /** The spec of a result's benchmark, if the model knows it. */
    public static Optional<KernelSpec> spec(BenchResult r) {
        return Optional.ofNullable(SPECS.get(r.shortName()));
    }

    /** All known kernels in report order. */
    public static List<KernelSpec> specs() {
        return List.copyOf(SPECS.values());
    }

    /** {@code 2 S K D}: the multiply-adds of the {@code [S, D] x [D, K]} distance product. */
    public static double distanceFlops(int s) {
        return 2.0 * s * K * D;
    }

    static BlockQuantConfig blockConfig(BenchResult r) {
        return BlockQuantConfig.publishedInt2().withBits(r.intParam("bits", 2));
    }

    /** Bytes of the packed codes plus bf16 scales of {@code rows} rows of D values. */
    static double packedBytes(BlockQuantConfig c, int rows) {
        return (double) rows * (c.packedBytesPerRow(D) + 2.0 * c.blocksPerRow(D));
    }

    static Work quantizeWork(BenchResult r) {
        int s = r.intParam("S");
        return new Work(4.0 * s * D + packedBytes(blockConfig(r), s), 0, s);
    }

    /** Packed blocks in, float32 out, plus for each stage the int32 ids and the bf16 centroids. */
    static Work dequantWork(BenchResult r, int stages) {
        int s = r.intParam("S");
        double bytes = packedBytes(blockConfig(r), s) + 4.0 * s * D + stages * (4.0 * s + 2.0 * K * D);
        return new Work(bytes, 0, s);
    }

    /** Codes, scales, int32 ids and each span's bf16 centroids in; float32 out. */
    static Work readQuantizedWork(BenchResult r) {
        int s = r.intParam("S");
        double spans = Math.ceil((double) s / BenchShapes.HISTORY_SPAN);
        double bytes = packedBytes(BlockQuantConfig.publishedInt2(), s) + 4.0 * s + spans * 2.0 * K * D + 4.0 * s * D;
        return new Work(bytes, 0, s);
    }

    /** {@code Q K^T} and {@code P V}: {@code 2 x 2 Sq S D} FLOP for one head. */
    static Work attentionWork(BenchResult r) {
        int s = r.intParam("S");
        return new Work(0, 4.0 * BenchShapes.ATTENTION_QUERIES * s * D, s);
    }

    static Work compressWork(BenchResult r, int stages) {
        int s = r.intParam("S");
        return new Work(0, (double) stages * BenchShapes.COMPRESS_ITERS * distanceFlops(s), s);
    }
}
