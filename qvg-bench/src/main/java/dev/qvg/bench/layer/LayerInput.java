package dev.qvg.bench.layer;

import java.nio.file.Path;

/**
 * Command line of the layer benchmark's input generator (run by {@code scripts/layer-bench.sh}):
 *
 * <pre>
 * java -Xmx3g -cp qvg-bench/target/benchmarks.jar dev.qvg.bench.layer.LayerInput --out FILE
 *     [--layers N] [--seed N] [--frames F --height H --width W --heads N --head-dim D] [--reuse] [--force]
 * </pre>
 * Defaults: one LongCat-Video layer (K and V {@code [1, 32, 29640, 128]}, 486 MB), seed 0. With
 * {@code --reuse} an existing file made from the same settings is kept (it is identified by its
 * metadata); without {@code --force} any other existing file is an error. One layer takes about
 * 40 s on one core of the build machine (the generator is single-threaded) and one layer's
 * memory (about 1 GB of heap).
 */
public final class LayerInput {

    private LayerInput() {
    }

    public static void main(String[] argv) {
        try {
            System.exit(run(argv));
        } catch (IllegalArgumentException e) {
            System.err.println("layer-input: " + e.getMessage());
            System.exit(2);
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("layer-input: " + e);
            System.exit(1);
        }
    }

    static int run(String[] argv) throws java.io.IOException {
        Path out = null;
        boolean reuse = false, force = false;
        int layers = 1;
        int frames = LayerInputSpec.LONGCAT_FRAMES, height = LayerInputSpec.LONGCAT_HEIGHT;
        int width = LayerInputSpec.LONGCAT_WIDTH, heads = LayerInputSpec.LONGCAT_HEADS;
        int headDim = LayerInputSpec.LONGCAT_HEAD_DIM;
        long seed = 0;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "--out" -> out = Path.of(value(argv, ++i, a));
                case "--layers" -> layers = intValue(argv, ++i, a);
                case "--seed" -> seed = longValue(argv, ++i, a);
                case "--frames" -> frames = intValue(argv, ++i, a);
                case "--height" -> height = intValue(argv, ++i, a);
                case "--width" -> width = intValue(argv, ++i, a);
                case "--heads" -> heads = intValue(argv, ++i, a);
                case "--head-dim" -> headDim = intValue(argv, ++i, a);
                case "--reuse" -> reuse = true;
                case "--force" -> force = true;
                default -> throw new IllegalArgumentException("unknown argument '" + a + "' (options: --out --layers "
                        + "--seed --frames --height --width --heads --head-dim --reuse --force)");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        LayerInputSpec spec = new LayerInputSpec(layers, frames, height, width, heads, headDim, seed);
        if (reuse && LayerInputFile.matches(out, spec)) {
            System.out.println("layer-input: reusing " + out + " (" + spec.describe() + ")");
            return 0;
        }
        if (out.toAbsolutePath().getParent() != null) {
            java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
        }
        if (java.nio.file.Files.exists(out) && !force && !reuse) {
            throw new IllegalArgumentException(out + " exists; pass --force to overwrite it or --reuse to keep a match");
        }
        System.out.printf("layer-input: writing %s, %.1f MB (%s)%n", out, spec.dataBytes() / 1e6, spec.describe());
        // --reuse and a file from other settings: it is replaced, as the caller asked for this content.
        LayerInputFile.write(out, spec, force || reuse, System.out);
        return 0;
    }

    private static String value(String[] argv, int i, String option) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return argv[i];
    }

    private static int intValue(String[] argv, int i, String option) {
        String v = value(argv, i, option);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a whole number: '" + v + "'");
        }
    }

    private static long longValue(String[] argv, int i, String option) {
        String v = value(argv, i, option);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a whole number: '" + v + "'");
        }
    }
}
