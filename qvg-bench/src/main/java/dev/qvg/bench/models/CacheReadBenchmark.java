package dev.qvg.bench.models;

import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.bench.BenchBackends;
import dev.qvg.bench.BenchShapes;
import dev.qvg.bench.ForkedBenchmark;
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
 * {@code StreamingKvCache.read} of a whole history of {@code S} tokens of one head: every span
 * dequantized on the fly ({@link #readQuantized()}), against the same history kept in BF16
 * ({@link #readBf16()}, a widening copy). This is what attention pays per layer, K and V each,
 * before any arithmetic.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CacheReadBenchmark extends ForkedBenchmark {

    @Param({"cpu"})
    public String backend;

    @Param({"4096", "16384", "65536"})
    public int S;

    @Param({"1", "2"})
    public int threads;

    private Backend impl;
    private HistoryFixture history;
    private float[] buffer;

    @Setup(Level.Trial)
    public void setUp() {
        impl = BenchBackends.create(backend, threads);
        history = HistoryFixture.build(impl, S, KvRole.KEY, 51L);
        buffer = new float[history.quantized.shape().slices() * S * BenchShapes.D];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
    }

    @Benchmark
    public KvTensor readQuantized() {
        return history.quantized.read(0, S);
    }

    /** The same read into a buffer the caller keeps: no allocation and no zeroing per read. */
    @Benchmark
    public float[] readQuantizedInto() {
        history.quantized.readInto(0, S, buffer, 0, S * BenchShapes.D);
        return buffer;
    }

    @Benchmark
    public KvTensor readBf16() {
        return history.bf16.read(0, S);
    }
}
