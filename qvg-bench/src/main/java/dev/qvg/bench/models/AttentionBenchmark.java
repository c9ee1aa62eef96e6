package dev.qvg.bench.models;

import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.bench.BenchBackends;
import dev.qvg.bench.BenchData;
import dev.qvg.bench.BenchShapes;
import dev.qvg.bench.ForkedBenchmark;
import dev.qvg.models.attention.Attention;
import dev.qvg.models.attention.AttentionMask;
import dev.qvg.models.streamed.CacheHistory;
import dev.qvg.models.streamed.StreamedAttention;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One new chunk's queries ({@value #QUERIES} tokens of one head) attending over a history of
 * {@code S} tokens read from qvg-models' streaming caches, as an AR video model does for every
 * chunk: quantized K and V (dequantized on the fly by {@code read}) against BF16 K and V. Both
 * run qvg-models' {@code Attention.sdpa} (ND4J SGEMMs plus a Java softmax), so the difference is
 * the price of reading quantized history. {@link #attendQuantizedStreamed()} runs qvg-models'
 * span-streamed attention (issue 11) over the same quantized caches: one span decoded at a time,
 * partial softmax merged by log-sum-exp, so the whole float history never exists; against
 * {@link #attendQuantized()} it shows what streaming costs or saves in time (and, with
 * {@code -prof gc}, in heap allocated per call). BLAS threads follow {@code threads} (set by
 * {@code BenchBackends.create}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AttentionBenchmark extends ForkedBenchmark {

    /** Query tokens: one chunk of the history fixture. */
    public static final int QUERIES = BenchShapes.ATTENTION_QUERIES;

    @Param({"cpu"})
    public String backend;

    @Param({"4096", "16384", "65536"})
    public int S;

    @Param({"1", "2"})
    public int threads;

    private Backend impl;
    private HistoryFixture keys;
    private HistoryFixture values;
    private KvTensor q;
    private AttentionMask mask;

    @Setup(Level.Trial)
    public void setUp() {
        impl = BenchBackends.create(backend, threads);
        keys = HistoryFixture.build(impl, S, KvRole.KEY, 61L);
        values = HistoryFixture.build(impl, S, KvRole.VALUE, 62L);
        q = KvTensor.wrap(new KvShape(1, 1, QUERIES, BenchShapes.D), BenchData.videoLike(QUERIES, BenchShapes.D, 63L));
        // The new chunk sees the whole history (its own keys are not part of this measurement).
        mask = AttentionMask.none();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
    }

    @Benchmark
    public KvTensor attendQuantized() {
        return Attention.sdpa(q, keys.quantized, values.quantized, S, mask);
    }

    /**
     * The streamed attention's own account of its peak working memory (queries copy,
     * accumulators, one span's buffers), reported by JMH as the secondary metric
     * {@value #PEAK_METRIC}: the largest value of an iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Peak {
        public long peakWorkingBytes;

        @Setup(Level.Iteration)
        public void reset() {
            peakWorkingBytes = 0;
        }
    }

    /** Name of the secondary metric {@link Peak} produces. */
    public static final String PEAK_METRIC = "peakWorkingBytes";

    @Benchmark
    public KvTensor attendQuantizedStreamed(Peak peak) {
        StreamedAttention.Result r = StreamedAttention.attend(q, CacheHistory.parts(keys.quantized, 0, S),
                CacheHistory.parts(values.quantized, 0, S), mask);
        peak.peakWorkingBytes = Math.max(peak.peakWorkingBytes, r.peakWorkingBytes());
        return r.output();
    }

    @Benchmark
    public KvTensor attendBf16() {
        return Attention.sdpa(q, keys.bf16, values.bf16, S, mask);
    }
}
