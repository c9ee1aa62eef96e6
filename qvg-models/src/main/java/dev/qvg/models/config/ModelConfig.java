package dev.qvg.models.config;

import dev.qvg.models.cache.CachePolicy;
import java.util.Objects;

/**
 * The numbers of one auto-regressive video model that decide its KV-cache size: the attention
 * geometry, how many tokens one latent frame becomes at the published resolution, how many latent
 * frames one generated chunk holds, and the cache length of the published long-generation run.
 * Where each number comes from is written next to it in {@link ModelConfigs}.
 *
 * @param name                 the command-line name (lower case)
 * @param displayName          the name the reference README uses
 * @param layers               transformer blocks, each with its own K and V cache
 * @param heads                query heads
 * @param kvHeads              key/value heads (equal to {@code heads} for all four DiTs: no GQA)
 * @param headDim              values per head and token
 * @param tokensPerLatentFrame tokens of one latent frame at {@code resolution}
 * @param framesPerChunk       latent frames generated (and cached) per AR step
 * @param cacheTokens          tokens per layer of the published long-generation cache
 * @param temporalStride       video frames per latent frame after the first (the VAE's stride)
 * @param fps                  frames per second of the decoded video
 * @param weightBytes          bytes of the denoiser's weights in BF16 (text encoder and VAE excluded)
 * @param resolution           published resolution, "HxW"
 * @param defaultPolicy        the cache policy of the model's published QVG integration
 */
public record ModelConfig(String name, String displayName, int layers, int heads, int kvHeads, int headDim,
                          int tokensPerLatentFrame, int framesPerChunk, long cacheTokens, int temporalStride,
                          double fps, long weightBytes, String resolution, CachePolicy defaultPolicy) {

    public ModelConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(resolution, "resolution");
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("tokensPerLatentFrame", tokensPerLatentFrame);
        positive("framesPerChunk", framesPerChunk);
        positive("temporalStride", temporalStride);
        if (cacheTokens <= 0) {
            throw new IllegalArgumentException(name + ": cacheTokens must be positive, got " + cacheTokens);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }
        if (!(fps > 0)) {
            throw new IllegalArgumentException(name + ": fps must be positive, got " + fps);
        }
        if (weightBytes < 0) {
            throw new IllegalArgumentException(name + ": weightBytes must not be negative, got " + weightBytes);
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("model config: " + what + " must be positive, got " + v);
        }
    }

    /** Tokens of one chunk (a chunk is whole latent frames). */
    public int tokensPerChunk() {
        return tokensPerLatentFrame * framesPerChunk;
    }

    /** Hidden width of the keys of one layer: {@code kvHeads * headDim}. */
    public int kvWidth() {
        return kvHeads * headDim;
    }

    /** BF16 bytes of K plus V of one token in one layer. */
    public long bf16BytesPerTokenPerLayer() {
        return 2L * kvWidth() * 2;
    }

    /** The published cache length in latent frames (may be fractional when padded). */
    public double cacheLatentFrames() {
        return (double) cacheTokens / tokensPerLatentFrame;
    }

    /** Video frames decoded from {@code latentFrames} latent frames: {@code 1 + stride * (n - 1)}. */
    public long videoFrames(long latentFrames) {
        return latentFrames <= 0 ? 0 : 1 + (long) temporalStride * (latentFrames - 1);
    }

    /** Seconds of video {@code latentFrames} latent frames decode to. */
    public double seconds(long latentFrames) {
        return videoFrames(latentFrames) / fps;
    }

    /**
     * The longest length, in latent frames, whose whole-model cache bytes this planner can count
     * exactly in a {@code long} (with room for per-component sums): {@code 2^58} bytes of BF16 K+V (its bits and their sums then fit too).
     */
    public long maxLatentFrames() {
        long bytesPerFrame = (long) tokensPerLatentFrame * layers * bf16BytesPerTokenPerLayer();
        return Math.max(1, (1L << 58) / bytesPerFrame);
    }

    /** Checks that {@code latentFrames} is within {@link #maxLatentFrames()}, naming the limit. */
    public long checkLatentFrames(String what, long latentFrames, String asked) {
        if (latentFrames > maxLatentFrames()) {
            throw new IllegalArgumentException(what + ": " + asked + " is beyond what can be planned for " + displayName
                    + " (at most " + maxLatentFrames() + " latent frames, " + String.format(java.util.Locale.ROOT,
                    "%.4g", seconds(maxLatentFrames())) + " s of video: its cache would exceed 2^58 bytes)");
        }
        return latentFrames;
    }

    /** The fewest latent frames that decode to at least {@code seconds} of video. */
    public long latentFramesForSeconds(double seconds) {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("seconds: must be positive and finite, got " + seconds);
        }
        double video = Math.ceil(seconds * fps - 1e-9);
        // In double first: a huge length must be refused, not wrapped around to a small one.
        double latent = Math.max(1, 1 + Math.ceil((video - 1) / temporalStride));
        if (latent > maxLatentFrames()) {
            checkLatentFrames("seconds", Long.MAX_VALUE, seconds + " s");
        }
        long videoFrames = (long) video;
        return Math.max(1, 1 + (videoFrames - 1 + temporalStride - 1) / temporalStride);
    }
}
