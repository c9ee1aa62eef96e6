package dev.qvg.bench.limits;

import dev.qvg.bench.BenchData;
import dev.qvg.bench.BenchShapes;
import dev.qvg.bench.ForkedBenchmark;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The machine's arithmetic limit for k-means assignment: the distance product {@code X C^T} of
 * the k-means shape ({@code [S, D] x [D, K]}, {@code 2 S K D} FLOP) through ND4J's OpenBLAS
 * SGEMM into a preallocated output, with {@code threads} BLAS threads. The call is
 * {@code Nd4j.gemm(x, c, out, false, true, 1, 0)}: the engineering notes measured the
 * {@code mmul} of a transposed view at about an eighth of this speed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SgemmBenchmark extends ForkedBenchmark {

    @Param({"4096", "16384", "65536"})
    public int S;

    @Param({"1", "2"})
    public int threads;

    private INDArray x;
    private INDArray c;
    private INDArray out;

    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.factory().blas().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        int D = BenchShapes.D, K = BenchShapes.K;
        float[] xs = BenchData.videoLike(S, D, 1L);
        x = Nd4j.create(xs, new long[] {S, D}, 'c');
        c = Nd4j.create(BenchData.rowsOf(xs, S, D, K, 2L), new long[] {K, D}, 'c');
        out = Nd4j.create(DataType.FLOAT, new long[] {S, K}, 'c');
    }

    @Benchmark
    public INDArray gemm() {
        return Nd4j.gemm(x, c, out, false, true, 1.0, 0.0);
    }
}
