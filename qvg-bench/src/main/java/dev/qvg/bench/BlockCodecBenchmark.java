package dev.qvg.bench;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;
import java.util.SplittableRandom;
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
 * The memory-bound kernels of one {@code [S, 128]} slice, published block layout (block 64,
 * symmetric, bf16 scales; {@code bits} 2 by default):
 * <ul>
 *   <li>{@link #quantizePack()}: float32 in, packed codes and scales out;</li>
 *   <li>{@link #unpackDequant()}: packed in, float32 out;</li>
 *   <li>{@link #decode()}: {@code Backend.decode} with one SAS stage, i.e. unpack, dequantize and
 *       add each token's centroid: the operation every cache read runs.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BlockCodecBenchmark extends ForkedBenchmark {

    @Param({"cpu"})
    public String backend;

    @Param({"4096", "16384", "65536"})
    public int S;

    @Param({"1", "2"})
    public int threads;

    @Param({"2"})
    public int bits;

    private Backend impl;
    private SliceBatch batch;
    private BlockQuantConfig config;
    private float[] x;
    private PackedBlocks packed;
    private List<ClusterStage> stages;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        impl = BenchBackends.create(backend, threads);
        int D = BenchShapes.D, K = BenchShapes.K;
        batch = new SliceBatch(1, S, D);
        config = BlockQuantConfig.publishedInt2().withBits(bits);
        x = BenchData.videoLike(S, D, 21L);
        packed = impl.quantizePack(x, S, D, config);
        int[] ids = new int[S];
        SplittableRandom rnd = new SplittableRandom(22L);
        for (int i = 0; i < S; i++) {
            ids[i] = rnd.nextInt(K);
        }
        float[] centroids = BenchData.rowsOf(x, S, D, K, 23L);
        stages = List.of(ClusterStage.ofFloatCentroids(1, S, D, K, centroids, ids, new int[] {1}));
        out = new float[S * D];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
    }

    @Benchmark
    public PackedBlocks quantizePack() {
        return impl.quantizePack(x, S, BenchShapes.D, config);
    }

    @Benchmark
    public float[] unpackDequant() {
        impl.unpackDequant(packed, out);
        return out;
    }

    @Benchmark
    public float[] decode() {
        impl.decode(batch, packed, stages, out);
        return out;
    }
}
