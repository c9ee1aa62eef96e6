package dev.qvg.models.tiny;

import dev.qvg.api.quant.BitBudget;
import java.util.List;

/**
 * One generated video: latent frames, their decoded RGB frames ({@code [pixels, pixels, 3]} in
 * (0, 1)), and the cache's exact storage at the end.
 */
public record RolloutResult(String label, List<float[]> latents, List<float[]> rgb, long cacheBytes,
                            BitBudget cacheBudget, double seconds) {

    public RolloutResult {
        latents = List.copyOf(latents);
        rgb = List.copyOf(rgb);
    }

    /** Bits per cached value at the end (BF16 parts count 16). */
    public double bitsPerValue() {
        return cacheBudget == null ? 0 : cacheBudget.bitsPerValue();
    }
}
