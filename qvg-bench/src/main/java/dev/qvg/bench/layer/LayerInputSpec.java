package dev.qvg.bench.layer;

import dev.qvg.api.config.Seeds;
import dev.qvg.io.VideoKvConfig;
import dev.qvg.models.config.ModelConfigs;
import java.util.ArrayList;
import java.util.List;

/**
 * What the layer benchmark's input file holds: {@code layers} layers of K and V, each
 * {@code [1, heads, frames * height * width, headDim]} BF16, made by qvg-io's
 * {@link dev.qvg.io.VideoKvGenerator} (video-like tokens: moving textured regions, camera motion,
 * rotary keys with outlier channels), layer {@code i} from seed {@code Seeds.derive(seed, i)}, so
 * layer 0 of a many-layer file is the same data as a one-layer file of the same seed.
 *
 * @param layers  layers in the file: one gives tensors {@code k} and {@code v}, more give
 *                {@code layer0.k}, {@code layer0.v}, {@code layer1.k}, ...
 * @param frames  latent frames
 * @param height  token rows per frame
 * @param width   token columns per frame
 * @param heads   attention heads
 * @param headDim head dimension
 * @param seed    seed of the whole file
 */
public record LayerInputSpec(int layers, int frames, int height, int width, int heads, int headDim, long seed) {

    /** LongCat-Video's layer shape in the original's benchmark: 19 latent frames of 30 x 52 tokens (480p). */
    public static final int LONGCAT_FRAMES = 19, LONGCAT_HEIGHT = 30, LONGCAT_WIDTH = 52;
    /** LongCat-Video's attention, from qvg-models' cited config: 32 KV heads of 128. */
    public static final int LONGCAT_HEADS = ModelConfigs.LONGCAT_VIDEO.kvHeads(),
            LONGCAT_HEAD_DIM = ModelConfigs.LONGCAT_VIDEO.headDim();

    public LayerInputSpec {
        positive("layers", layers);
        positive("frames", frames);
        positive("height", height);
        positive("width", width);
        positive("heads", heads);
        positive("headDim", headDim);
        // Validates the rest (head dim even and >= 6, one tensor's element count) with the generator's own rules.
        generatorConfig(frames, height, width, heads, headDim, seed);
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + ": must be positive, got " + v);
        }
    }

    /** {@code layers} LongCat-Video layers: K and V {@code [1, 32, 29640, 128]} each. */
    public static LayerInputSpec longCat(int layers, long seed) {
        return new LayerInputSpec(layers, LONGCAT_FRAMES, LONGCAT_HEIGHT, LONGCAT_WIDTH, LONGCAT_HEADS,
                LONGCAT_HEAD_DIM, seed);
    }

    public int tokens() {
        return frames * height * width;
    }

    /** {@code [1, heads, tokens, headDim]}. */
    public long[] tensorShape() {
        return new long[] {1, heads, tokens(), headDim};
    }

    /** Bytes of one BF16 tensor. */
    public long tensorBytes() {
        return 2L * heads * tokens() * headDim;
    }

    /** Bytes of the data section of the file (every tensor). */
    public long dataBytes() {
        return 2L * layers * tensorBytes();
    }

    /** Tensor names in file order: K then V of each layer. */
    public List<String> tensorNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            names.add(layers == 1 ? "k" : "layer" + i + ".k");
            names.add(layers == 1 ? "v" : "layer" + i + ".v");
        }
        return names;
    }

    /** The generator's settings for layer {@code i}. */
    public VideoKvConfig layerConfig(int i) {
        if (i < 0 || i >= layers) {
            throw new IllegalArgumentException("layer: must be in 0.." + (layers - 1) + ", got " + i);
        }
        return generatorConfig(frames, height, width, heads, headDim, Seeds.derive(seed, i));
    }

    private static VideoKvConfig generatorConfig(int frames, int height, int width, int heads, int headDim, long seed) {
        return VideoKvConfig.defaults().withSize(frames, height, width, heads, headDim).withSeed(seed);
    }

    /** One line that identifies the content: stored in the file, compared before a file is reused. */
    public String describe() {
        return "VideoKvGenerator layers=" + layers + " frames=" + frames + " height=" + height + " width=" + width
                + " heads=" + heads + " headDim=" + headDim + " seed=" + seed + " dtype=BF16 layout=BHSD";
    }
}
