package dev.qvg.models.cache;

import dev.qvg.api.config.Seeds;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.reference.KernelArgs;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One layer's K or V cache of an auto-regressive video model (spec section 7): the token axis
 * cut into frame-aligned chunks, each {@link ChunkState#EMPTY EMPTY}, {@link ChunkState#BF16
 * BF16}, {@link ChunkState#QUANTIZED QUANTIZED} (inside a span quantized as one tensor) or
 * {@link ChunkState#EVICTED EVICTED}.
 *
 * <h2>Use</h2>
 * <ol>
 *   <li>{@link #write} stores whole chunks as BF16 (a chunk being denoised may be rewritten any
 *       number of times);</li>
 *   <li>{@link #commit} declares chunks complete; the {@link CachePolicy} then quantizes every
 *       span that became due, with a quantizer seeded by {@code Seeds.derive(seed, layer, span)}
 *       (plus the first chunk of the run when eviction split a span), passing the newest span's
 *       stages as the quantizer's warm-start hint;</li>
 *   <li>{@link #read} returns float32 values of any token range, BF16 chunks exactly and quantized
 *       spans dequantized on the fly; an EMPTY or EVICTED token fails the read, nothing is ever
 *       filled with zeros;</li>
 *   <li>{@link #evict} frees a chunk range; a quantized span is freed only when the range covers
 *       all of it (its centroids serve all its tokens), otherwise it is kept whole and stays
 *       readable.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * One writer and any number of concurrent readers. The state is an immutable snapshot published
 * through a volatile field: a reader sees the cache as it was before or after a whole
 * write/commit/evict, never in between, and never waits for the writer's bookkeeping (a span
 * being quantized stays readable as BF16 until its quantized form is published). Writer calls
 * ({@code write}, {@code commit}, {@code evict}, {@code clear}) are serialized on an internal
 * lock, so a second writer waits rather than corrupting the cache, but interleaving two writers'
 * chunks is the caller's problem. Backends need not accept concurrent calls (see
 * {@code Backend}), so every call into a quantizer (the writer's {@code quantize}, the readers'
 * {@code dequantize}) is made holding the {@link SpanQuantizer}'s monitor: caches sharing one
 * span quantizer (the layers of a {@link ModelKvCache}) use its backend one call at a time, and a
 * reader of a quantized span may wait for a span being quantized. Reading BF16 chunks never
 * touches the quantizer.
 *
 * <h2>Memory</h2>
 * {@link #bytes()} is exact at any moment: 2 bytes per BF16 value of every BF16 chunk plus
 * {@code QuantizedKv.budget().totalBytes()} of every span.
 */
public final class StreamingKvCache {

    /** One quantized run of chunks {@code [startChunk, endChunk)}. */
    public record Span(int index, int startChunk, int endChunk, long seed, QuantizedKv data, Quantizer quantizer) {
        public long bytes() {
            return data.budget().totalBytes();
        }
    }

    private record Snapshot(ChunkState[] states, short[][] bf16, Span[] spanOf, List<Span> spans, int completed,
                            int spansProcessed) {
    }

    private final CacheShape shape;
    private final CachePolicy policy;
    private final SpanQuantizer quantizer;
    private final KvRole role;
    private final int layer;
    private final long seed;
    private final String name;
    private final Object writeLock = new Object();
    private volatile Snapshot snapshot;

    /**
     * @param quantizer {@code null} for a cache that stays BF16 (the reference run)
     * @param layer     the layer index (feeds the span seeds and the error messages)
     * @param seed      base seed of the span quantizers
     */
    public StreamingKvCache(CacheShape shape, CachePolicy policy, SpanQuantizer quantizer, KvRole role, int layer,
                            long seed) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.role = Objects.requireNonNull(role, "role");
        this.quantizer = quantizer;
        if (layer < 0) {
            throw new IllegalArgumentException("layer: must not be negative, got " + layer);
        }
        this.layer = layer;
        this.seed = seed;
        this.name = "layer " + layer + " " + (role == KvRole.KEY ? "K" : "V") + " cache";
        this.snapshot = empty();
    }

    private Snapshot empty() {
        ChunkState[] st = new ChunkState[shape.maxChunks()];
        Arrays.fill(st, ChunkState.EMPTY);
        return new Snapshot(st, new short[shape.maxChunks()][], new Span[shape.maxChunks()], List.of(), 0, 0);
    }

    public CacheShape shape() {
        return shape;
    }

    public CachePolicy policy() {
        return policy;
    }

    public KvRole role() {
        return role;
    }

    public int layer() {
        return layer;
    }

    /** Whether this cache quantizes at all. */
    public boolean quantizing() {
        return quantizer != null;
    }

    // ------------------------------------------------------------------ writer side

    /**
     * Stores {@code data} (any layout; {@code [B, H, n * tokensPerChunk, D]}) as BF16 at
     * {@code startToken}, which must start a chunk. A chunk that is already quantized cannot be
     * rewritten (its span is shared with other chunks): evict it first.
     */
    public void write(int startToken, KvTensor data) {
        Objects.requireNonNull(data, "data");
        KvShape ds = data.shape();
        if (ds.batch() != shape.batch() || ds.heads() != shape.heads() || ds.headDim() != shape.headDim()) {
            throw new IllegalArgumentException(name + ": data " + ds + " does not match the cache's [" + shape.batch()
                    + ", " + shape.heads() + ", *, " + shape.headDim() + "]");
        }
        int T = shape.tokensPerChunk();
        if (startToken < 0 || startToken % T != 0) {
            throw new IllegalArgumentException(name + ": write start " + startToken + " is not a chunk boundary (chunks of "
                    + T + " tokens)");
        }
        if (ds.tokens() % T != 0) {
            throw new IllegalArgumentException(name + ": write of " + ds.tokens() + " tokens is not whole chunks of " + T);
        }
        int first = startToken / T, count = ds.tokens() / T;
        if ((long) first + count > shape.maxChunks()) {
            throw new IllegalArgumentException(name + ": write of chunks [" + first + ", " + (first + count)
                    + ") exceeds the capacity of " + shape.maxChunks() + " chunks");
        }
        data.requireFinite(name + " write");
        KvTensor x = data.toBhsd();
        float[] src = x.data();
        int D = shape.headDim(), S = ds.tokens();
        short[][] chunks = new short[count][shape.chunkValues()];
        for (int i = 0; i < shape.slices(); i++) {
            for (int c = 0; c < count; c++) {
                int from = (i * S + c * T) * D;
                int to = i * T * D;
                short[] dst = chunks[c];
                for (int k = 0; k < T * D; k++) {
                    dst[to + k] = Bf16.fromFloat(src[from + k]);
                }
            }
        }
        synchronized (writeLock) {
            Snapshot s = snapshot;
            for (int c = 0; c < count; c++) {
                if (s.states[first + c] == ChunkState.QUANTIZED) {
                    throw new IllegalStateException(name + ": chunk " + (first + c) + " is inside quantized span "
                            + describe(s.spanOf[first + c]) + " and cannot be rewritten; evict the span first");
                }
            }
            ChunkState[] st = s.states.clone();
            short[][] bf = s.bf16.clone();
            for (int c = 0; c < count; c++) {
                st[first + c] = ChunkState.BF16;
                bf[first + c] = chunks[c];
            }
            snapshot = new Snapshot(st, bf, s.spanOf, s.spans, s.completed, s.spansProcessed);
        }
    }

    /**
     * Declares the chunks before {@code endToken} (a chunk boundary) complete and quantizes every
     * span that is now due. Completing never goes backwards; a chunk must have been written (or
     * evicted) before it is completed.
     */
    public void commit(int endToken) {
        int T = shape.tokensPerChunk();
        if (endToken < 0 || endToken % T != 0 || endToken / T > shape.maxChunks()) {
            throw new IllegalArgumentException(name + ": commit end " + endToken + " is not a chunk boundary within "
                    + shape.capacityTokens() + " tokens");
        }
        int upTo = endToken / T;
        synchronized (writeLock) {
            Snapshot s = snapshot;
            for (int c = s.completed; c < upTo; c++) {
                if (s.states[c] == ChunkState.EMPTY) {
                    throw new IllegalStateException(name + ": chunk " + c + " cannot be completed, it was never written");
                }
            }
            int completed = Math.max(s.completed, upTo);
            snapshot = new Snapshot(s.states, s.bf16, s.spanOf, s.spans, completed, s.spansProcessed);
            if (quantizer != null) {
                quantizeDue();
            }
        }
    }

    /** Writes {@code data} at {@code startToken} and completes it: the usual step of an AR model. */
    public void append(int startToken, KvTensor data) {
        synchronized (writeLock) {
            write(startToken, data);
            commit(startToken + data.shape().tokens());
        }
    }

    private void quantizeDue() {
        Snapshot s = snapshot;
        int due = policy.spansDue(s.completed);
        for (int j = s.spansProcessed; j < due; j++) {
            int start = policy.spanStart(j), end = Math.min(policy.spanEnd(j), shape.maxChunks());
            int c = start;
            while (c < end) {
                if (snapshot.states[c] != ChunkState.BF16) {
                    c++;
                    continue;
                }
                int runEnd = c;
                while (runEnd < end && snapshot.states[runEnd] == ChunkState.BF16) {
                    runEnd++;
                }
                quantizeRun(j, c, runEnd);
                c = runEnd;
            }
            Snapshot t = snapshot;
            snapshot = new Snapshot(t.states, t.bf16, t.spanOf, t.spans, t.completed, j + 1);
        }
    }

    private void quantizeRun(int spanIndex, int startChunk, int endChunk) {
        Snapshot s = snapshot;
        int T = shape.tokensPerChunk(), D = shape.headDim(), n = endChunk - startChunk, S = n * T;
        float[] x = new float[shape.slices() * S * D];
        for (int c = 0; c < n; c++) {
            short[] chunk = s.bf16[startChunk + c];
            for (int i = 0; i < shape.slices(); i++) {
                int from = i * T * D, to = (i * S + c * T) * D;
                for (int k = 0; k < T * D; k++) {
                    x[to + k] = Bf16.toFloat(chunk[from + k]);
                }
            }
        }
        long spanSeed = startChunk == policy.spanStart(spanIndex)
                ? Seeds.derive(seed, layer, spanIndex)
                : Seeds.derive(seed, layer, spanIndex, startChunk);
        // The newest span's stages are the warm-start hint (Quantizer contract: used only when the
        // method's config enables warm starts; the bits still depend only on input, config, hint).
        List<ClusterStage> hint = s.spans.isEmpty() ? List.of() : s.spans.get(s.spans.size() - 1).data().stages();
        Quantizer q;
        QuantizedKv data;
        synchronized (quantizer) {
            q = Objects.requireNonNull(quantizer.forSeed(spanSeed), "span quantizer");
            data = q.quantize(KvTensor.wrap(shape.kvShape(S), x), role, hint);
        }
        if (!data.shape().equals(shape.kvShape(S))) {
            throw new IllegalStateException(name + ": quantizer returned shape " + data.shape() + " for " + shape.kvShape(S));
        }
        Span span = new Span(spanIndex, startChunk, endChunk, spanSeed, data, q);
        Snapshot t = snapshot;
        ChunkState[] st = t.states.clone();
        short[][] bf = t.bf16.clone();
        Span[] of = t.spanOf.clone();
        for (int c = startChunk; c < endChunk; c++) {
            st[c] = ChunkState.QUANTIZED;
            bf[c] = null;
            of[c] = span;
        }
        List<Span> spans = new ArrayList<>(t.spans);
        spans.add(span);
        snapshot = new Snapshot(st, bf, of, List.copyOf(spans), t.completed, t.spansProcessed);
    }

    /**
     * Frees chunks {@code [fromToken, toToken)} (chunk boundaries): BF16 chunks in the range are
     * dropped; a quantized span is dropped only if the range covers all of it.
     */
    public void evict(int fromToken, int toToken) {
        int T = shape.tokensPerChunk();
        if (fromToken < 0 || toToken > shape.capacityTokens() || fromToken > toToken || fromToken % T != 0
                || toToken % T != 0) {
            throw new IllegalArgumentException(name + ": evict range [" + fromToken + ", " + toToken
                    + ") is not a chunk-aligned range within " + shape.capacityTokens() + " tokens");
        }
        int sc = fromToken / T, ec = toToken / T;
        synchronized (writeLock) {
            Snapshot s = snapshot;
            ChunkState[] st = s.states.clone();
            short[][] bf = s.bf16.clone();
            Span[] of = s.spanOf.clone();
            for (int c = sc; c < ec; c++) {
                if (st[c] == ChunkState.BF16) {
                    st[c] = ChunkState.EVICTED;
                    bf[c] = null;
                }
            }
            List<Span> kept = new ArrayList<>();
            for (Span sp : s.spans) {
                if (sc <= sp.startChunk() && sp.endChunk() <= ec) {
                    for (int c = sp.startChunk(); c < sp.endChunk(); c++) {
                        st[c] = ChunkState.EVICTED;
                        of[c] = null;
                    }
                } else {
                    kept.add(sp);
                }
            }
            snapshot = new Snapshot(st, bf, of, List.copyOf(kept), s.completed, s.spansProcessed);
        }
    }

    /** Drops everything: the cache is as new. */
    public void clear() {
        synchronized (writeLock) {
            snapshot = empty();
        }
    }

    // ------------------------------------------------------------------ reader side

    /**
     * Float32 values of tokens {@code [fromToken, toToken)} as a BHSD tensor. BF16 chunks come back
     * exactly; quantized spans are dequantized by the quantizer that encoded them.
     *
     * @throws EvictedRangeException when a token of the range was evicted
     * @throws IllegalStateException when a token of the range was never written
     */
    public KvTensor read(int fromToken, int toToken) {
        Snapshot s = checkReadable(fromToken, toToken);
        int len = toToken - fromToken;
        float[] out = new float[shape.slices() * len * shape.headDim()];
        readChecked(s, fromToken, toToken, out, 0, len * shape.headDim());
        return KvTensor.wrap(shape.kvShape(len), out);
    }

    /**
     * {@link #read} into a caller's array, for callers that read every step and keep their buffer
     * (no allocation, no zeroing), or that place several ranges side by side: slice {@code i}'s
     * {@code (toToken - fromToken) * headDim} values go to {@code out[offset + i * sliceStride]}
     * onwards, and nothing else in {@code out} is written. Every check runs before the first
     * write, so a failed call leaves {@code out} as it was.
     *
     * @throws IllegalArgumentException when the range is empty or outside the cache, or the slices
     *         do not fit in {@code out} at that offset and stride
     * @throws EvictedRangeException when a token of the range was evicted
     * @throws IllegalStateException when a token of the range was never written
     */
    public void readInto(int fromToken, int toToken, float[] out, int offset, int sliceStride) {
        Snapshot s = checkReadable(fromToken, toToken);
        KernelArgs.checkSlicesFit(shape.slices(), (long) (toToken - fromToken) * shape.headDim(), out, offset, sliceStride);
        readChecked(s, fromToken, toToken, out, offset, sliceStride);
    }

    /** Writes tokens {@code [fromToken, toToken)} of snapshot {@code s}, checked readable, as {@link #readInto} places them. */
    private void readChecked(Snapshot s, int fromToken, int toToken, float[] out, int offset, int sliceStride) {
        int T = shape.tokensPerChunk(), D = shape.headDim();
        int sc = fromToken / T, ec = (toToken + T - 1) / T;
        Map<Span, float[]> decoded = new IdentityHashMap<>();
        for (int c = sc; c < ec; c++) {
            int a = Math.max(fromToken, c * T), b = Math.min(toToken, (c + 1) * T);
            int at = offset + (a - fromToken) * D;
            if (s.states[c] == ChunkState.BF16) {
                short[] chunk = s.bf16[c];
                for (int i = 0; i < shape.slices(); i++) {
                    int from = (i * T + (a - c * T)) * D, to = at + i * sliceStride;
                    for (int k = 0; k < (b - a) * D; k++) {
                        out[to + k] = Bf16.toFloat(chunk[from + k]);
                    }
                }
            } else {
                Span sp = s.spanOf[c];
                int spanFrom = sp.startChunk() * T, spanTo = sp.endChunk() * T;
                if (spanFrom >= fromToken && spanTo <= toToken) {
                    // The whole span is wanted: decode it in place, each slice at its row of out.
                    if (decoded.put(sp, IN_PLACE) == null) {
                        synchronized (quantizer) {
                            sp.quantizer().dequantizeInto(sp.data(), out, offset + (spanFrom - fromToken) * D, sliceStride);
                        }
                    }
                    continue;
                }
                float[] dec = decoded.computeIfAbsent(sp, this::decode);
                int spanTokens = (sp.endChunk() - sp.startChunk()) * T, off = a - sp.startChunk() * T;
                for (int i = 0; i < shape.slices(); i++) {
                    System.arraycopy(dec, (i * spanTokens + off) * D, out, at + i * sliceStride, (b - a) * D);
                }
            }
        }
    }

    /** The snapshot to read {@code [fromToken, toToken)} from, once every token of it is readable. */
    private Snapshot checkReadable(int fromToken, int toToken) {
        if (fromToken < 0 || toToken > shape.capacityTokens() || fromToken >= toToken) {
            throw new IllegalArgumentException(name + ": read range [" + fromToken + ", " + toToken
                    + ") is empty or outside 0.." + shape.capacityTokens());
        }
        Snapshot s = snapshot;
        int T = shape.tokensPerChunk();
        for (int c = fromToken / T, ec = (toToken + T - 1) / T; c < ec; c++) {
            if (s.states[c] == ChunkState.EVICTED) {
                throw new EvictedRangeException(name, Math.max(fromToken, c * T), Math.min(toToken, (c + 1) * T));
            }
            if (s.states[c] == ChunkState.EMPTY) {
                throw new IllegalStateException(name + ": tokens [" + Math.max(fromToken, c * T) + ", "
                        + Math.min(toToken, (c + 1) * T) + ") (chunk " + c + ") were never written");
            }
        }
        return s;
    }

    /** Marks a span decoded straight into the output of {@link #read}. */
    private static final float[] IN_PLACE = new float[0];

    private float[] decode(Span sp) {
        synchronized (quantizer) {
            return sp.quantizer().dequantize(sp.data()).toBhsd().data();
        }
    }

    /** State of chunk {@code c}. */
    public ChunkState state(int chunk) {
        if (chunk < 0 || chunk >= shape.maxChunks()) {
            throw new IllegalArgumentException(name + ": chunk " + chunk + " outside 0.." + (shape.maxChunks() - 1));
        }
        return snapshot.states[chunk];
    }

    /** Every chunk's state, in order (a consistent copy). */
    public List<ChunkState> states() {
        return List.of(snapshot.states);
    }

    /** The quantized spans held now, oldest first. */
    public List<Span> spans() {
        return snapshot.spans;
    }

    /** Chunks declared complete so far. */
    public int completedChunks() {
        return snapshot.completed;
    }

    /** Exact bytes held now: 2 per BF16 value plus each span's {@code budget().totalBytes()}. */
    public long bytes() {
        Snapshot s = snapshot;
        long b = 0;
        for (short[] chunk : s.bf16) {
            if (chunk != null) {
                b += 2L * chunk.length;
            }
        }
        for (Span sp : s.spans) {
            b += sp.bytes();
        }
        return b;
    }

    /**
     * Exact storage now, per component (BF16 chunks counted as full-precision values), or
     * {@code null} when the cache holds nothing.
     */
    public BitBudget budget() {
        Snapshot s = snapshot;
        BitBudget total = null;
        for (short[] chunk : s.bf16) {
            if (chunk != null) {
                BitBudget b = BitBudget.bf16(chunk.length);
                total = total == null ? b : total.plus(b);
            }
        }
        for (Span sp : s.spans) {
            BitBudget b = sp.data().budget();
            total = total == null ? b : total.plus(b);
        }
        return total;
    }

    private String describe(Span sp) {
        return sp == null ? "(none)" : "#" + sp.index() + " chunks [" + sp.startChunk() + ", " + sp.endChunk() + ")";
    }

    @Override
    public String toString() {
        return name + " " + shape + " " + policy.label();
    }
}
