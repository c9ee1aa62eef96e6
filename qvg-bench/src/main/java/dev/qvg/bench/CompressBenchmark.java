package dev.qvg.bench;

import com.google.inject.Module;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipelines;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
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
 * A whole compression of one span of one head ({@code [1, 1, S, 128]} keys) through the public
 * pipeline a user calls ({@code Pipelines.quantizer}): SAS (one k-means stage, centroid
 * subtraction, INT2 block quantization) and PRQ with {@value BenchShapes#PRQ_STAGES} stages.
 * k-means runs exactly {@value BenchShapes#COMPRESS_ITERS} iterations per stage ({@code tol = 0}),
 * issue 4's reference workload, so the work per call is fixed and the report can relate the
 * time to {@code stages x iters x 2 S K D} FLOP. The published configuration allows up to 100
 * iterations; real spans stop earlier on the tolerance, so scale by the iterations used.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CompressBenchmark extends ForkedBenchmark {

    @Param({"cpu"})
    public String backend;

    @Param({"4096", "16384", "65536"})
    public int S;

    @Param({"1", "2"})
    public int threads;

    private Backend impl;
    private Quantizer sas;
    private Quantizer prq;
    private KvTensor keys;

    @Setup(Level.Trial)
    public void setUp() {
        impl = BenchBackends.create(backend, threads);
        KvShape shape = new KvShape(1, 1, S, BenchShapes.D);
        keys = KvTensor.wrap(shape, BenchData.videoLike(S, BenchShapes.D, 31L));
        KMeansConfig km = new KMeansConfig(BenchShapes.K, BenchShapes.COMPRESS_ITERS, 0.0, 32L, KMeansInit.RANDOM);
        QuantizerConfig base = QuantizerConfig.builder().backend(backend).kmeans(km).build();
        // The config names the backend for the record; the instance built with the asked
        // thread count is bound directly (the registry cannot make the unregistered reference).
        Module useImpl = binder -> binder.bind(Backend.class).toInstance(impl);
        sas = Pipelines.quantizer(base.toBuilder().method("sas").build(), useImpl);
        prq = Pipelines.quantizer(base.toBuilder().method("prq").stages(BenchShapes.PRQ_STAGES).build(), useImpl);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
    }

    @Benchmark
    public QuantizedKv sasCompress() {
        return sas.quantize(keys, KvRole.KEY);
    }

    @Benchmark
    public QuantizedKv prqCompress() {
        return prq.quantize(keys, KvRole.KEY);
    }
}
