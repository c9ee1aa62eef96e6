package dev.qvg.models.tiny;

/**
 * Size and constants of the {@link TinyVideoModel}. Defaults keep a 64-frame rollout around a
 * second on one CPU core.
 *
 * @param grid            latent frame is {@code grid x grid} tokens
 * @param latentChannels  channels of one latent token
 * @param layers          transformer blocks
 * @param heads           attention heads
 * @param headDim         values per head (a multiple of 64 so the published block size fits)
 * @param framesPerChunk  latent frames generated per AR step
 * @param step            size of one frame update: {@code x_next = x_prev + step * tanh(...)}
 * @param sinkLogit       logit boost every query gives the first chunk's keys (an attention sink,
 *                        as real video models attend strongly to the conditioning frame)
 * @param keyOffset       size of the per-channel offsets of the keys (softmax-invariant in exact
 *                        arithmetic, as in real models; they stretch a per-token quantizer's range)
 * @param keyOutlierScale scale of a few outlier key channels (queries scaled down to match)
 * @param patch           decoded pixels per token side (RGB frame is {@code grid * patch} square)
 * @param seed            seed of every weight and of the initial frame
 */
public record TinyModelConfig(int grid, int latentChannels, int layers, int heads, int headDim, int framesPerChunk,
                              double step, double sinkLogit, double keyOffset, double keyOutlierScale, int patch,
                              long seed) {

    public TinyModelConfig {
        positive("grid", grid);
        positive("latentChannels", latentChannels);
        positive("layers", layers);
        positive("heads", heads);
        positive("headDim", headDim);
        positive("framesPerChunk", framesPerChunk);
        positive("patch", patch);
        if (!(step > 0 && step <= 1)) {
            throw new IllegalArgumentException("step: must be in (0, 1], got " + step);
        }
        if (!(sinkLogit >= 0) || !(keyOffset >= 0) || !(keyOutlierScale >= 1)) {
            throw new IllegalArgumentException("sinkLogit and keyOffset must be >= 0 and keyOutlierScale >= 1");
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("tiny model: " + name + " must be positive, got " + v);
        }
    }

    /** 6x6 tokens of 4 channels, 2 layers of 2 heads x 64, 2 frames a chunk, 24x24 RGB frames. */
    public static TinyModelConfig defaults() {
        return new TinyModelConfig(6, 4, 2, 2, 64, 2, 0.25, 4.0, 3.0, 6.0, 4, 20260225L);
    }

    public TinyModelConfig withSeed(long s) {
        return new TinyModelConfig(grid, latentChannels, layers, heads, headDim, framesPerChunk, step, sinkLogit,
                keyOffset, keyOutlierScale, patch, s);
    }

    /**
     * The most latent frames one rollout can generate: the cache keeps each layer's keys (and
     * values) of all heads in one array, so {@code frames * tokensPerFrame * heads * headDim} must
     * fit in a Java array.
     */
    public int maxFrames() {
        return (int) Math.min(Integer.MAX_VALUE, dev.qvg.api.tensor.KvShape.MAX_ELEMENTS
                / ((long) tokensPerFrame() * heads * headDim));
    }

    /** Checks {@code frames} against {@link #maxFrames()}, naming the limit. */
    public void checkFrames(int frames) {
        if (frames < 1) {
            throw new IllegalArgumentException("frames: must be positive, got " + frames);
        }
        if (frames > maxFrames()) {
            throw new IllegalArgumentException("frames: " + frames + " latent frames are more than one rollout's cache can "
                    + "hold (at most " + maxFrames() + ": " + tokensPerFrame() + " tokens a frame, " + heads + " heads of "
                    + headDim + " in one array)");
        }
    }

    public int tokensPerFrame() {
        return grid * grid;
    }

    public int tokensPerChunk() {
        return tokensPerFrame() * framesPerChunk;
    }

    public int width() {
        return heads * headDim;
    }

    public int pixels() {
        return grid * patch;
    }
}
