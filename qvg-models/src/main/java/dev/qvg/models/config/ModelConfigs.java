package dev.qvg.models.config;

import dev.qvg.models.cache.CachePolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The four models of the reference README, by command-line name (case-insensitive).
 *
 * <p>Sources, abbreviated below:
 * <ul>
 *   <li>[README] the reference implementation's README, "Memory Results" table (MB = MiB):
 *       BF16 per-layer K+V 464.00 (LongCat-Video), 1535.76 (Self-Forcing), 990.00
 *       (HY-WorldPlay), 883.59 (LingBot-World); totals 22272.00, 46072.88, 29700.00, 35343.60;
 *       INT2 ratios 6.89x, 6.97x, 7.01x, 6.21x. Restated in QVG-SPEC section 8.</li>
 *   <li>[SPEC8] QVG-SPEC section 8: layer counts 48/30/30/40, Self-Forcing 12 heads x 128,
 *       LingBot-World 40 heads x 128.</li>
 *   <li>[WAN21] Wan2.1 configs (wan/configs): T2V-1.3B dim 1536, 12 heads, 30 layers; VAE stride
 *       (4, 8, 8), patch (1, 2, 2), 16 fps.</li>
 *   <li>[WAN22] Wan2.2 configs: TI2V-5B dim 3072, 24 heads, 30 layers, VAE stride (4, 16, 16),
 *       patch (1, 2, 2), 704x1280 at 24 fps; A14B dim 5120, 40 heads, 40 layers.</li>
 *   <li>[LONGCAT] meituan-longcat/LongCat-Video model card/config: 13.6B parameters, hidden 4096,
 *       32 heads, 48 blocks, Wan2.1 VAE.</li>
 *   <li>[QVG-SCRIPTS] the reference integrations: Self-Forcing QUANT_FACTOR 8 and 3-frame blocks;
 *       HY-WorldPlay loads Wan2.2-TI2V-5B at 704x1280 and predicts 4 latent frames per chunk;
 *       LingBot-World runs at 480x832 with Wan2.2-A14B geometry.</li>
 * </ul>
 * Numbers marked "inference" are derived by us from the above, not published as such.
 */
public final class ModelConfigs {

    private static final long GB = 1_000_000_000L;

    private ModelConfigs() {
    }

    /** LongCat-Video 13.6B. */
    public static final ModelConfig LONGCAT_VIDEO = new ModelConfig("longcat-video", "LongCat-Video",
            48,           // [SPEC8] 22272 / 464 = 48 layers; [LONGCAT] 48 blocks
            32, 32,       // [LONGCAT] 32 heads, no grouped KV
            128,          // [LONGCAT] 4096 / 32
            1560,         // 480x832 -> latent 60x104 (Wan2.1 VAE, [LONGCAT]) -> patch 2x2 -> 30x52
            1,            // inference: the integration caches the conditioning frames of a continuation
                          // step as one block; we plan it frame by frame and quantize it as one span
            29_696,       // [README] 464.00 MiB / (2 x 4096 x 2 B) = 29,696 tokens exactly. Inference:
                          // 19 latent frames (29,640 tokens) padded up to a multiple of 64 (the
                          // block-sparse attention's block); the 56 padding tokens stay BF16 here.
            4,            // Wan2.1 VAE temporal stride [WAN21]
            15.0,         // inference: LongCat-Video's 480p base generation runs at 15 fps
            (long) (13.6 * GB) * 2, // [LONGCAT] 13.6B parameters in BF16
            "480x832",
            new CachePolicy(19, 0, 0)); // inference: one span over the 19 conditioning latent frames

    /** Self-Forcing (Wan2.1-T2V-1.3B, chunk-wise causal). */
    public static final ModelConfig SELF_FORCING = new ModelConfig("self-forcing", "Self-Forcing",
            30,           // [SPEC8], [WAN21]
            12, 12,       // [SPEC8], [WAN21]
            128,          // [SPEC8], [WAN21] 1536 / 12
            1560,         // Self-Forcing frame_seq_length: 480x832 -> 30x52 tokens [WAN21]
            3,            // Self-Forcing num_frame_per_block = 3 [QVG-SCRIPTS]
            168L * 1560,  // inference: [README] 1535.76 MiB / (2 x 1536 x 2 B) = 262,103 tokens; the
                          // nearest whole number of chunks is 168 latent frames (56 chunks, 7 spans of
                          // 8) = 262,080 tokens = 1535.625 MiB, 0.009% under the README figure
            4,            // [WAN21]
            16.0,         // [WAN21]
            (long) (1.3 * GB) * 2, // nominal 1.3B parameters in BF16 (inference: the name's figure)
            "480x832",
            new CachePolicy(8, 0, 0)); // Self-Forcing QUANT_FACTOR = 8, reference defaults [QVG-SCRIPTS]

    /** HY-WorldPlay (the reference integration's Wan2.2-TI2V-5B variant). */
    public static final ModelConfig HY_WORLDPLAY = new ModelConfig("hy-worldplay", "HY-WorldPlay",
            30,           // [SPEC8] 29700 / 990 = 30; [WAN22] TI2V-5B 30 layers
            24, 24,       // [WAN22] 24 heads
            128,          // [WAN22] 3072 / 24
            880,          // 704x1280 -> latent 44x80 (stride 16) -> patch 2x2 -> 22x40 [WAN22]
            4,            // pred_latent_size = 4 [QVG-SCRIPTS]
            96L * 880,    // [README] 990.00 MiB / (2 x 3072 x 2 B) = 84,480 tokens exactly = 96 latent
                          // frames = 24 chunks (inference: that is the run's cache length)
            4,            // [WAN22]
            24.0,         // [WAN22]
            5L * GB * 2,  // nominal 5B parameters in BF16 (inference: the name's figure)
            "704x1280",
            new CachePolicy(8, 0, 0)); // reference defaults (inference: the script's policy is not stated)

    /** LingBot-World (Wan2.2-A14B geometry). */
    public static final ModelConfig LINGBOT_WORLD = new ModelConfig("lingbot-world", "LingBot-World",
            40,           // [SPEC8] 35343.60 / 883.59 = 40; [WAN22] A14B 40 layers
            40, 40,       // [SPEC8], [WAN22]
            128,          // [SPEC8]
            1560,         // 480x832 [QVG-SCRIPTS] -> 30x52 tokens
            1,            // inference: the integration generates 3 latent frames per step, but the README
                          // cache (29 frames) is not a whole number of 3-frame chunks, so we plan it in
                          // 1-frame chunks and quantize the window as one span
            29L * 1560,   // [README] 883.59 MiB / (2 x 5120 x 2 B) = 45,240 tokens exactly = 29 latent
                          // frames (equivalently 232 frames of one rank's 5 heads under 8-way Ulysses)
            4,            // [WAN22]
            16.0,         // LingBot-World README: 12 pixel frames per 0.75 s chunk = 16 fps [QVG-SCRIPTS]
            14L * GB * 2, // nominal 14B active parameters in BF16 (inference: the name's figure)
            "480x832",
            new CachePolicy(29, 0, 0)); // inference: the 29-frame window as one span

    private static final Map<String, ModelConfig> BY_NAME;

    static {
        Map<String, ModelConfig> m = new LinkedHashMap<>();
        for (ModelConfig c : List.of(LONGCAT_VIDEO, SELF_FORCING, HY_WORLDPLAY, LINGBOT_WORLD)) {
            m.put(c.name(), c);
        }
        BY_NAME = Map.copyOf(m);
    }

    /** All four, in the README's order. */
    public static List<ModelConfig> all() {
        return List.of(LONGCAT_VIDEO, SELF_FORCING, HY_WORLDPLAY, LINGBOT_WORLD);
    }

    public static List<String> names() {
        return all().stream().map(ModelConfig::name).toList();
    }

    /**
     * The model called {@code name}, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException naming the known models when there is none
     */
    public static ModelConfig byName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model: a name is required; known models: " + String.join(", ", names()));
        }
        ModelConfig c = BY_NAME.get(name.strip().toLowerCase(Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("model: unknown model '" + name + "'; known models: "
                    + String.join(", ", names()));
        }
        return c;
    }
}
