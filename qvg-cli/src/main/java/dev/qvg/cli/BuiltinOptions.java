package dev.qvg.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Size and seed of the built-in video-like data. The default is one quantized span of
 * LongCat-Video as its integration quantizes it: 19 latent frames of 30 x 52 tokens (480x832
 * video), two heads of 128: {@code [1, 2, 29640, 128]}. The span length matters: the centroid
 * share of the storage shrinks with tokens (256 BF16 centroids of 128 cost 1 bit per value on
 * 4096 tokens, 0.14 on 29,640), so a short test tensor shows SAS at a price it never pays in a
 * model. The whole default evaluation takes about a minute on two cores (65 s measured with
 * another build running). {@code --quick} is the earlier small data (16 frames of 16 x 16 tokens,
 * {@code [1, 2, 4096, 128]}, the size of the shared chelsea data; about 20 s).
 */
public final class BuiltinOptions {

    @Option(names = "--frames", paramLabel = "N",
            description = "Latent frames (default: 19, one LongCat-Video span; --quick: 16).")
    Integer frames;

    @Option(names = "--grid", paramLabel = "HxW",
            description = "Tokens per frame as rows x columns (default: 30x52, LongCat-Video at 480x832; --quick: 16x16).")
    String grid;

    @Option(names = "--quick", description = "Small built-in data, [1, 2, 4096, 128] (about 20 s instead of a minute).")
    boolean quick;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (default: 2).")
    Integer heads;

    @Option(names = "--head-dim", paramLabel = "D", description = "Head dimension (default: 128).")
    Integer headDim;

    @Option(names = "--data-seed", paramLabel = "N", description = "Seed of the generated data (default: 0).")
    Long dataSeed;

    /** Frames of the default data: one LongCat-Video span (19 latent frames of 30 x 52 tokens). */
    public static final int DEFAULT_FRAMES = 19;
    private static final int[] DEFAULT_GRID = {30, 52};
    private static final int QUICK_FRAMES = 16;
    private static final int[] QUICK_GRID = {16, 16};

    boolean given() {
        return frames != null || grid != null || heads != null || headDim != null || dataSeed != null || quick;
    }

    int frames() {
        return frames != null ? frames : quick ? QUICK_FRAMES : DEFAULT_FRAMES;
    }

    int heads() {
        return heads == null ? 2 : heads;
    }

    int headDim() {
        return headDim == null ? 128 : headDim;
    }

    long dataSeed() {
        return dataSeed == null ? 0L : dataSeed;
    }

    /** {@code {rows, columns}} of the token grid. */
    int[] grid(CommandSpec spec) {
        if (grid == null) {
            return (quick ? QUICK_GRID : DEFAULT_GRID).clone();
        }
        String[] p = grid.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int h = Integer.parseInt(p[0].trim()), w = Integer.parseInt(p[1].trim());
                if (h > 0 && w > 0) {
                    return new int[] {h, w};
                }
            }
        } catch (NumberFormatException e) {
            // reported below with the expected form
        }
        throw new ParameterException(spec.commandLine(), "--grid: expected ROWSxCOLUMNS such as 16x16, got '" + grid + "'");
    }

    void validate(CommandSpec spec) {
        grid(spec);
        try {
            BuiltinData.config(this, spec);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
