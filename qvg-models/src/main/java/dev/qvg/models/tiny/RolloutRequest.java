package dev.qvg.models.tiny;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.ProviderNames;
import dev.qvg.models.cache.CachePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code qvg rollout [--model tiny] [--frames N] [--method ...] [--backend ...] [--compare B]}
 * asks: roll the tiny model out with a BF16 cache and with the quantized cache of
 * {@code quantizer} (its backend included), and, when {@code compareBackend} is given, once more
 * with the same method on that backend.
 *
 * @param model          the model (only the tiny model exists: {@link #model(String)})
 * @param frames         latent frames to generate (chunk 0, the conditioning frame, included)
 * @param quantizer      method, parameters and backend of the candidate cache
 * @param policy         cache policy of the quantized caches
 * @param compareBackend a second backend to run the same method on, or {@code null}
 * @param cacheSeed      base seed of the span quantizers
 */
public record RolloutRequest(TinyModelConfig model, int frames, QuantizerConfig quantizer, CachePolicy policy,
                             String compareBackend, long cacheSeed) {

    /** Models {@code --model} accepts. */
    public static final List<String> MODELS = List.of("tiny");

    public RolloutRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(quantizer, "quantizer");
        Objects.requireNonNull(policy, "policy");
        model.checkFrames(frames);
        if (compareBackend != null) {
            ProviderNames.check("compare", compareBackend);
        }
    }

    /** The model called {@code name} (case-insensitive); fails listing the known names. */
    public static TinyModelConfig model(String name) {
        if (name != null && MODELS.contains(name.strip().toLowerCase(Locale.ROOT))) {
            return TinyModelConfig.defaults();
        }
        throw new IllegalArgumentException("model: unknown rollout model '" + name + "'; known: " + String.join(", ", MODELS)
                + " (the published models have no weights here; use qvg plan for them)");
    }

    /**
     * The quantizer settings rollouts default to for {@code method}: the published INT2 config but
     * with 16 clusters (the tiny model's spans hold hundreds of tokens, not tens of thousands, so
     * 256 centroids would cost more bits than the codes) and no window of recent BF16 tokens inside a span
     * (the cache's {@code keepRecentChunks} is the recent window).
     */
    public static QuantizerConfig tinyQuantizer(String method) {
        QuantizerConfig c = QuantizerConfig.builder().method(method).clusters(16).build();
        // a method's window of newest tokens in BF16 is switched off: the cache keeps recent chunks
        for (var knob : dev.qvg.api.registry.Methods.of(c).knobs()) {
            if (knob.flag().equals(RECENT_WINDOW_FLAG) && !knob.canonical(knob.defaultValue()).equals(knob.canonical("0"))) {
                c = c.withParam(knob.key(), "0");
            }
        }
        return c;
    }

    /** The option every built-in method's recent-token window answers to (HF's and KIVI's residual_length). */
    private static final String RECENT_WINDOW_FLAG = "--recent-tokens";

    /** 64 frames of the tiny model with PRQ on the CPU backend, reference policy, no comparison. */
    public static RolloutRequest defaults() {
        return new RolloutRequest(TinyModelConfig.defaults(), 64, tinyQuantizer(null), CachePolicy.reference(), null, 0);
    }

    public RolloutRequest withFrames(int n) {
        return new RolloutRequest(model, n, quantizer, policy, compareBackend, cacheSeed);
    }

    public RolloutRequest withQuantizer(QuantizerConfig q) {
        return new RolloutRequest(model, frames, q, policy, compareBackend, cacheSeed);
    }

    public RolloutRequest withPolicy(CachePolicy p) {
        return new RolloutRequest(model, frames, quantizer, p, compareBackend, cacheSeed);
    }

    public RolloutRequest withCompareBackend(String backend) {
        return new RolloutRequest(model, frames, quantizer, policy, backend, cacheSeed);
    }

    /**
     * Runs the request: the BF16 reference, the candidate, and the comparison backend if any.
     * Reports: candidate vs BF16; with a comparison also comparison vs BF16 and comparison vs
     * candidate (the cross-backend difference; infinite PSNR means identical videos).
     */
    public RolloutOutcome run() {
        TinyVideoModel m = new TinyVideoModel(model);
        RolloutResult ref = Rollout.run(m, frames, RolloutArm.bf16(), cacheSeed);
        RolloutResult cand = Rollout.run(m, frames, RolloutArm.of(quantizer, policy), cacheSeed);
        List<RolloutReport> reports = new ArrayList<>();
        reports.add(Rollout.compare(m, ref, cand));
        RolloutResult other = null;
        if (compareBackend != null) {
            QuantizerConfig q2 = quantizer.toBuilder().backend(compareBackend).build();
            other = Rollout.run(m, frames, RolloutArm.of(q2, policy), cacheSeed);
            reports.add(Rollout.compare(m, ref, other));
            reports.add(Rollout.compare(m, cand, other));
        }
        return new RolloutOutcome(ref, cand, other, reports);
    }
}
