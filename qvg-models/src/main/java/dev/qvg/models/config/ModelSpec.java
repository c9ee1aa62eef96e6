package dev.qvg.models.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.models.cache.CachePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * A model described by the user rather than built in (Wan, LTX, one of their own): the numbers
 * that decide its KV cache, each optional so a description can also override a built-in model's.
 * From command-line flags or a JSON model file, e.g.
 *
 * <pre>{@code
 * {"name": "wan2.1-14b", "layers": 40, "kvHeads": 40, "headDim": 128, "tokensPerLatentFrame": 1560,
 *  "framesPerChunk": 3, "fps": 16, "temporalStride": 4, "weightsGiB": 26}
 * }</pre>
 *
 * {@link #resolve(ModelConfig)} fills the gaps from a base model, or refuses naming what is
 * missing. A described model has no published cache length: give a length ({@code --frames} or
 * {@code --seconds}); its cache policy is the reference default unless flags say otherwise.
 */
public record ModelSpec(String name, Integer layers, Integer kvHeads, Integer headDim, Integer tokensPerLatentFrame,
                        Integer framesPerChunk, Double fps, Integer temporalStride, Double weightsGiB) {

    private static final Set<String> FIELDS = Set.of("name", "layers", "kvHeads", "headDim", "tokensPerLatentFrame",
            "framesPerChunk", "fps", "temporalStride", "weightsGiB");

    /** Whether any number is given (a name alone describes nothing). */
    public boolean describesAnything() {
        return layers != null || kvHeads != null || headDim != null || tokensPerLatentFrame != null
                || framesPerChunk != null || fps != null || temporalStride != null || weightsGiB != null;
    }

    /** This description over {@code other}'s: every number given here wins. */
    public ModelSpec over(ModelSpec other) {
        return new ModelSpec(name != null ? name : other.name, pick(layers, other.layers), pick(kvHeads, other.kvHeads),
                pick(headDim, other.headDim), pick(tokensPerLatentFrame, other.tokensPerLatentFrame),
                pick(framesPerChunk, other.framesPerChunk), pick(fps, other.fps), pick(temporalStride, other.temporalStride),
                pick(weightsGiB, other.weightsGiB));
    }

    private static <T> T pick(T a, T b) {
        return a != null ? a : b;
    }

    /**
     * The model this describes: {@code base}'s numbers where none is given ({@code base} may be
     * {@code null}: then layers, KV heads, head dim, tokens per latent frame and frames per chunk
     * are required; fps defaults to 16, the temporal stride to 4, the weights to 0).
     *
     * @throws IllegalArgumentException naming a missing or invalid number
     */
    public ModelConfig resolve(ModelConfig base) {
        if (base == null) {
            StringBuilder missing = new StringBuilder();
            need(missing, layers, "layers");
            need(missing, kvHeads, "kv-heads");
            need(missing, headDim, "head-dim");
            need(missing, tokensPerLatentFrame, "tokens-per-frame");
            need(missing, framesPerChunk, "frames-per-chunk");
            if (missing.length() > 0) {
                throw new IllegalArgumentException("model: a model described without --model needs" + missing
                        + " (or a --model-file giving them)");
            }
        }
        int kv = pick(kvHeads, base == null ? null : base.kvHeads());
        int tpf = pick(tokensPerLatentFrame, base == null ? null : base.tokensPerLatentFrame());
        double weights = weightsGiB != null ? weightsGiB : -1;
        if (weightsGiB != null && !(weightsGiB >= 0 && weightsGiB < 1e9)) {
            throw new IllegalArgumentException("weights-gib: must be in [0, 1e9), got " + weightsGiB);
        }
        String n = name != null ? name : base != null ? base.name() + " (modified)" : "custom";
        return new ModelConfig(n.toLowerCase(java.util.Locale.ROOT), n,
                pick(layers, base == null ? null : base.layers()),
                base == null || kvHeads != null ? kv : base.heads(), kv,
                pick(headDim, base == null ? null : base.headDim()), tpf,
                pick(framesPerChunk, base == null ? null : base.framesPerChunk()),
                // A described model has no published run: its "cache length" is one chunk, used only
                // when no length is given, which the plan command refuses for described models.
                base != null && tokensPerLatentFrame == null ? base.cacheTokens()
                        : (long) tpf * pick(framesPerChunk, base == null ? null : base.framesPerChunk()),
                pick(temporalStride, base == null ? 4 : base.temporalStride()),
                pick(fps, base == null ? 16.0 : base.fps()),
                weights >= 0 ? (long) (weights * (1L << 30)) : base == null ? 0 : base.weightBytes(),
                base == null ? "?" : base.resolution(),
                base == null ? CachePolicy.reference() : base.defaultPolicy());
    }

    private static void need(StringBuilder missing, Object v, String flag) {
        if (v == null) {
            missing.append(missing.length() == 0 ? " " : ", ").append("--").append(flag);
        }
    }

    /** Reads a JSON model file (fields as in the class comment; unknown fields are refused, naming them). */
    public static ModelSpec read(Path file) {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("model file " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("model file " + file + ": expected a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("model file " + file + ": unknown field '" + f + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(FIELDS)));
            }
        }
        return new ModelSpec(text(n, "name", file), integer(n, "layers", file), integer(n, "kvHeads", file),
                integer(n, "headDim", file), integer(n, "tokensPerLatentFrame", file), integer(n, "framesPerChunk", file),
                number(n, "fps", file), integer(n, "temporalStride", file), number(n, "weightsGiB", file));
    }

    private static String text(JsonNode n, String f, Path file) {
        JsonNode v = n.get(f);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("model file " + file + ": '" + f + "' must be a string");
        }
        return v.asText();
    }

    private static Integer integer(JsonNode n, String f, Path file) {
        JsonNode v = n.get(f);
        if (v == null) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("model file " + file + ": '" + f + "' must be a whole number, got " + v);
        }
        return v.intValue();
    }

    private static Double number(JsonNode n, String f, Path file) {
        JsonNode v = n.get(f);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("model file " + file + ": '" + f + "' must be a number, got " + v);
        }
        return v.doubleValue();
    }
}
