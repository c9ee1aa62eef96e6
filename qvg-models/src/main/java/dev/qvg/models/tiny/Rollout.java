package dev.qvg.models.tiny;

import dev.qvg.models.cache.CacheShape;
import dev.qvg.models.cache.ModelKvCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs the {@link TinyVideoModel} with one cache and another and compares the videos chunk by
 * chunk (PSNR of the decoded RGB frames, spec section 10).
 */
public final class Rollout {

    private Rollout() {
    }

    /** One rollout of {@code frames} latent frames with {@code arm}'s cache; the cache seed feeds the span seeds. */
    public static RolloutResult run(TinyVideoModel model, int frames, RolloutArm arm, long cacheSeed) {
        return run(model, frames, arm, cacheSeed, 0, 0);
    }

    /**
     * One rollout with a sliding attention window: the first {@code sinkChunks} chunks plus the
     * newest {@code windowChunks}; older chunks are evicted (see
     * {@link TinyVideoModel#generate(int, ModelKvCache, int, int)}). {@code windowChunks == 0}: full history.
     */
    public static RolloutResult run(TinyVideoModel model, int frames, RolloutArm arm, long cacheSeed, int sinkChunks,
                                    int windowChunks) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(arm, "arm");
        TinyModelConfig c = model.config();
        CacheShape shape = new CacheShape(1, c.heads(), c.headDim(), c.tokensPerChunk(), model.chunksFor(frames));
        ModelKvCache cache = new ModelKvCache(c.layers(), shape, arm.policy(), arm.quantizer(), cacheSeed);
        long t0 = System.nanoTime();
        List<float[]> latents = model.generate(frames, cache, sinkChunks, windowChunks);
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<float[]> rgb = new ArrayList<>();
        for (float[] l : latents) {
            rgb.add(model.decode(l));
        }
        return new RolloutResult(arm.label(), latents, rgb, cache.bytes(), cache.budget(), seconds);
    }

    /** Runs both arms and compares the candidate against the reference. */
    public static RolloutReport compare(TinyVideoModel model, int frames, RolloutArm reference, RolloutArm candidate,
                                        long cacheSeed) {
        return compare(model, run(model, frames, reference, cacheSeed), run(model, frames, candidate, cacheSeed));
    }

    /** Compares two finished rollouts of the same length. */
    public static RolloutReport compare(TinyVideoModel model, RolloutResult reference, RolloutResult candidate) {
        int n = reference.rgb().size();
        if (candidate.rgb().size() != n) {
            throw new IllegalArgumentException("rollouts: " + n + " and " + candidate.rgb().size() + " frames differ");
        }
        int F = model.config().framesPerChunk();
        int chunks = (n + F - 1) / F;
        double[] frameMse = new double[n];
        for (int i = 0; i < n; i++) {
            frameMse[i] = mse(reference.rgb().get(i), candidate.rgb().get(i));
        }
        double[] chunkMse = new double[chunks];
        for (int c = 0; c < chunks; c++) {
            int from = c * F, to = Math.min(n, from + F);
            double s = 0;
            for (int i = from; i < to; i++) {
                s += frameMse[i];
            }
            chunkMse[c] = s / (to - from);
        }
        return new RolloutReport(model.config(), reference.label(), candidate.label(), n, frameMse, chunkMse,
                reference.cacheBytes(), candidate.cacheBytes(), reference.bitsPerValue(), candidate.bitsPerValue(),
                reference.seconds(), candidate.seconds());
    }

    private static double mse(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }
}
