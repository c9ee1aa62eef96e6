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
 * Span-streamed attention against dequantize-then-attend (issue 11): one chunk of queries
 * ({@value #QUERIES} tokens of one head) over a quantized history of {@code chunks} chunks of
 * {@value HistoryFixture#CHUNK} tokens (spans of {@value HistoryFixture#QUANT_FACTOR} chunks, the
 * fixture of {@link AttentionBenchmark}). {@code dequantizeThenAttend} reads the whole history
 * from the cache (every span dequantized into one float32 tensor) and runs {@code Attention.sdpa};
 * {@code streamed} runs {@code StreamedAttention} over {@code CacheHistory.parts}, one span
 * decoded at a time. Peak working memory is not a JMH figure: setUp prints both sides' buffer
 * sizes ({@code StreamedAttention.Result.peakWorkingBytes} against the materialised history plus
 * its scores), and {@code -prof gc} gives the allocation rates. Named so that the report
 * script's {@code AttentionBenchmark} pattern does not pick it up (it has no {@code S} parameter).
 *
 * <p>Run: {@code java -jar qvg-bench/target/benchmarks.jar StreamedAttend -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StreamedAttendBenchmark extends ForkedBenchmark {

    public static final int QUERIES = BenchShapes.ATTENTION_QUERIES;

    @Param({"cpu"})
    public String backend;

    /** History length in chunks: a multiple of the span's chunks. */
    @Param({"8", "32", "128", "256"})
    public int chunks;

    @Param({"2"})
    public int threads;

    private Backend impl;
    private HistoryFixture keys;
    private HistoryFixture values;
    private KvTensor q;
    private int S;

    @Setup(Level.Trial)
    public void setUp() {
        impl = BenchBackends.create(backend, threads);
        S = chunks * HistoryFixture.CHUNK;
        keys = HistoryFixture.build(impl, S, KvRole.KEY, 71L);
        values = HistoryFixture.build(impl, S, KvRole.VALUE, 72L);
        q = KvTensor.wrap(new KvShape(1, 1, QUERIES, BenchShapes.D), BenchData.videoLike(QUERIES, BenchShapes.D, 73L));
        long streamedPeak = streamed().peakWorkingBytes();
        // materialised K and V, their two ND4J copies, and the Sq x S scores three times over
        long materialisedPeak = 4L * S * BenchShapes.D * 4 + 3L * QUERIES * S * 4;
        System.out.printf("%nchunks %d (S = %d): peak working bytes streamed %d, dequantize-then-attend about %d%n",
                chunks, S, streamedPeak, materialisedPeak);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
    }

    @Benchmark
    public KvTensor dequantizeThenAttend() {
        return Attention.sdpa(q, keys.quantized, values.quantized, S, AttentionMask.none());
    }

    @Benchmark
    public KvTensor streamedAttend() {
        return streamed().output();
    }

    private StreamedAttention.Result streamed() {
        return StreamedAttention.attend(q, CacheHistory.parts(keys.quantized, 0, S),
                CacheHistory.parts(values.quantized, 0, S), AttentionMask.none());
    }
}
