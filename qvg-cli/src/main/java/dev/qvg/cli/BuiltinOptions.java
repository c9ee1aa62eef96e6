package dev.qvg.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Size and seed of the built-in video-like data. The default is qvg-io's (16 frames of 16 x 16
 * tokens, two heads of 128: {@code [1, 2, 4096, 128]}, the size of the shared chelsea data); the
 * whole default evaluation takes about 20 s on two cores. k-means cost grows with tokens x
 * clusters, and the centroid share of the storage shrinks with tokens (256 bf16 centroids of 128
 * cost 1 bit per value at 4096 tokens, 2 at 2048).
 */
public final class BuiltinOptions {

    @Option(names = "--frames", paramLabel = "N", description = "Latent frames (default: 16).")
    Integer frames;

    @Option(names = "--grid", paramLabel = "HxW", description = "Tokens per frame as rows x columns (default: 16x16).")
    String grid;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (default: 2).")
    Integer heads;

    @Option(names = "--head-dim", paramLabel = "D", description = "Head dimension (default: 128).")
    Integer headDim;

    @Option(names = "--data-seed", paramLabel = "N", description = "Seed of the generated data (default: 0).")
    Long dataSeed;

    /** Frames of the default data. */
    public static final int DEFAULT_FRAMES = 16;

    boolean given() {
        return frames != null || grid != null || heads != null || headDim != null || dataSeed != null;
    }

    int frames() {
        return frames == null ? DEFAULT_FRAMES : frames;
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
            return new int[] {16, 16};
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
