package dev.qvg.models.plan;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.config.ModelConfig;
import java.util.Objects;

/**
 * What {@code qvg plan} asks: a model, a length (latent frames, seconds, or the model's published
 * cache), the quantizer config, the cache policy, and optionally a GPU memory size.
 *
 * @param latentFrames  the length in latent frames, or 0 for the model's published cache length
 * @param quantizer     the method and its parameters (the published INT2 config by default)
 * @param policy        the cache policy (the model's published policy by default)
 * @param gpuMemoryGiB  GPU memory for the "longest video that fits" question, or 0 to skip it
 */
public record PlanRequest(ModelConfig model, long latentFrames, QuantizerConfig quantizer, CachePolicy policy,
                          double gpuMemoryGiB) {

    public PlanRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(quantizer, "quantizer");
        Objects.requireNonNull(policy, "policy");
        if (latentFrames < 0) {
            throw new IllegalArgumentException("frames: must not be negative, got " + latentFrames);
        }
        if (!(gpuMemoryGiB >= 0) || Double.isInfinite(gpuMemoryGiB)) {
            throw new IllegalArgumentException("gpuMemoryGiB: must be finite and not negative, got " + gpuMemoryGiB);
        }
    }

    /** The model's published cache with the published INT2 config and the model's policy. */
    public static Builder builder(ModelConfig model) {
        return new Builder(model);
    }

    /** Tokens per layer this request plans for. */
    public long tokens() {
        return latentFrames == 0 ? model.cacheTokens() : latentFrames * model.tokensPerLatentFrame();
    }

    /** Mutable builder with the defaults above; {@link #build()} validates. */
    public static final class Builder {
        private final ModelConfig model;
        private long latentFrames;
        private double seconds;
        private QuantizerConfig quantizer = QuantizerConfig.publishedInt2();
        private CachePolicy policy;
        private Integer sinkChunks;
        private Integer recentChunks;
        private Integer quantFactor;
        private double gpuMemoryGiB;

        private Builder(ModelConfig model) {
            this.model = Objects.requireNonNull(model, "model");
            this.policy = model.defaultPolicy();
        }

        /** Latent frames to plan for ({@code --frames}); exclusive with {@link #seconds}. */
        public Builder frames(long n) {
            if (n <= 0) {
                throw new IllegalArgumentException("frames: must be positive, got " + n);
            }
            this.latentFrames = n;
            return this;
        }

        /** Seconds of video ({@code --seconds}), rounded up to whole latent frames. */
        public Builder seconds(double s) {
            model.latentFramesForSeconds(s); // validates
            this.seconds = s;
            return this;
        }

        public Builder quantizer(QuantizerConfig q) {
            this.quantizer = Objects.requireNonNull(q, "quantizer");
            return this;
        }

        public Builder policy(CachePolicy p) {
            this.policy = Objects.requireNonNull(p, "policy");
            return this;
        }

        public Builder sinkChunks(int n) {
            this.sinkChunks = n;
            return this;
        }

        public Builder recentChunks(int n) {
            this.recentChunks = n;
            return this;
        }

        public Builder quantFactor(int n) {
            this.quantFactor = n;
            return this;
        }

        public Builder gpuMemoryGiB(double g) {
            this.gpuMemoryGiB = g;
            return this;
        }

        public PlanRequest build() {
            if (latentFrames > 0 && seconds > 0) {
                throw new IllegalArgumentException("frames and seconds: give one length, not both");
            }
            long frames = seconds > 0 ? model.latentFramesForSeconds(seconds)
                    : model.checkLatentFrames("frames", latentFrames, latentFrames + " latent frames");
            CachePolicy p = policy;
            if (quantFactor != null) {
                p = p.withQuantFactor(quantFactor);
            }
            if (recentChunks != null) {
                p = p.withKeepRecentChunks(recentChunks);
            }
            if (sinkChunks != null) {
                p = p.withSinkChunks(sinkChunks);
            }
            return new PlanRequest(model, frames, quantizer, p, gpuMemoryGiB);
        }
    }
}
