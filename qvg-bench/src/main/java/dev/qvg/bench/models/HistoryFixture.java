package dev.qvg.bench.models;

import com.google.inject.Injector;
import com.google.inject.Module;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipelines;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.bench.BenchData;
import dev.qvg.bench.BenchShapes;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.cache.CacheShape;
import dev.qvg.models.cache.SpanQuantizer;
import dev.qvg.models.cache.StreamingKvCache;
import java.util.Arrays;

/**
 * A long history of one head in qvg-models' streaming cache, built once per trial: {@code S}
 * tokens in chunks of {@value #CHUNK} tokens, quantized in spans of {@value #QUANT_FACTOR} chunks
 * (the reference policy) with the published INT2 method (PRQ, one stage, K = 256) on the
 * benchmarked backend, next to the same history kept in BF16.
 *
 * <p>k-means runs only {@value #SETUP_ITERS} iterations while the history is built: reading a
 * span costs the same whatever its centroids are, and the setup of a 65,536-token history stays
 * a few seconds.
 */
public final class HistoryFixture {

    /** Tokens per chunk (a multiple of the 64-value block is not needed: blocks run along D). */
    public static final int CHUNK = BenchShapes.HISTORY_CHUNK;
    /** Chunks per quantized span: the reference default. */
    public static final int QUANT_FACTOR = BenchShapes.HISTORY_QUANT_FACTOR;
    /** Tokens per quantized span. */
    public static final int SPAN = CHUNK * QUANT_FACTOR;
    static final int SETUP_ITERS = 2;

    public final StreamingKvCache quantized;
    public final StreamingKvCache bf16;

    private HistoryFixture(StreamingKvCache quantized, StreamingKvCache bf16) {
        this.quantized = quantized;
        this.bf16 = bf16;
    }

    /** A history of {@code tokens} tokens (a multiple of {@link #SPAN}) for {@code role}. */
    public static HistoryFixture build(Backend backend, int tokens, KvRole role, long seed) {
        if (tokens <= 0 || tokens % SPAN != 0) {
            throw new IllegalArgumentException("S: the history must be a positive multiple of the " + SPAN
                    + "-token span, got " + tokens);
        }
        int D = BenchShapes.D;
        QuantizerConfig cfg = QuantizerConfig.builder().backend(backend.name())
                .kmeans(new KMeansConfig(BenchShapes.K, SETUP_ITERS, 0.0, seed, KMeansInit.RANDOM)).build();
        Module useBackend = binder -> binder.bind(Backend.class).toInstance(backend);
        Injector inj = Pipelines.injector(cfg, useBackend);
        SpanQuantizer sq = SpanQuantizer.reseeding(cfg, inj.getInstance(QuantizerContext.class));
        CacheShape shape = new CacheShape(1, 1, D, CHUNK, tokens / CHUNK);
        CachePolicy policy = new CachePolicy(QUANT_FACTOR, 0, 0);
        StreamingKvCache q = new StreamingKvCache(shape, policy, sq, role, 0, seed);
        StreamingKvCache b = new StreamingKvCache(shape, policy, null, role, 0, seed);
        float[] data = BenchData.videoLike(tokens, D, seed);
        for (int c = 0; c < tokens / CHUNK; c++) {
            float[] part = Arrays.copyOfRange(data, c * CHUNK * D, (c + 1) * CHUNK * D);
            KvTensor chunk = KvTensor.wrap(new KvShape(1, 1, CHUNK, D), part);
            q.append(c * CHUNK, chunk);
            b.append(c * CHUNK, chunk);
        }
        return new HistoryFixture(q, b);
    }
}
