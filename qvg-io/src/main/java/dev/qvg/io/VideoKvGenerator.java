package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.SplittableRandom;

/**
 * Built-in video-like K and V tensors, so evaluations run with no download. A scene of a
 * textured background seen by a panning camera and a few textured regions ("objects") moving in
 * straight lines and bouncing off the frame edges is sampled on a {@code frames x H x W} token
 * grid; each token gets the blend of the materials covering it plus noise, goes through a fixed
 * random nonlinear embedding, and is projected per head to keys and values. Keys get 3-D rotary
 * position embedding over (time, row, column) and a few large-magnitude scaled and offset
 * channels, as the keys of real video diffusion transformers have; values get neither.
 *
 * <p>Deterministic: the same config (seed included) gives the same bits on every JVM, because
 * randomness comes from {@link SplittableRandom}'s specified algorithm and transcendental
 * functions from {@link StrictMath}. Single-threaded; the default size takes well under a second.
 * What the data models and what it cannot is written in the module README.
 */
public final class VideoKvGenerator {

    /** Generated keys and values ({@code [1, heads, frames*H*W, headDim]}, BHSD) and what made them. */
    public record VideoKv(KvTensor keys, KvTensor values, VideoKvConfig config, int[][] outlierChannels) {
        /** {@code {"k": keys, "v": values}}, the tensor names of the shared data files. */
        public java.util.Map<String, KvTensor> asMap() {
            java.util.Map<String, KvTensor> m = new java.util.LinkedHashMap<>();
            m.put("k", keys);
            m.put("v", values);
            return m;
        }
    }

    /** Edge softness of region masks, in grid cells. */
    private static final double EDGE = 0.7;
    /** Sinusoids per material texture. */
    private static final int TEXTURE_WAVES = 4;
    /** Texture amplitude relative to the material's semantic vector. */
    private static final double TEXTURE_GAIN = 0.5;
    private static final double ROPE_BASE = 10000.0;

    private VideoKvGenerator() {
    }

    /** One material: a semantic vector plus a texture of sinusoids in its own coordinates. */
    private static final class Material {
        final double[] semantic;
        final double[][] waveDir; // [wave][E]
        final double[] wy, wx, phase;

        Material(SplittableRandom rng, int e) {
            semantic = gaussians(rng, e, 1.0);
            waveDir = new double[TEXTURE_WAVES][];
            wy = new double[TEXTURE_WAVES];
            wx = new double[TEXTURE_WAVES];
            phase = new double[TEXTURE_WAVES];
            for (int j = 0; j < TEXTURE_WAVES; j++) {
                double angle = rng.nextDouble() * 2 * Math.PI;
                double freq = 0.15 + 0.45 * rng.nextDouble(); // radians per cell: smooth over a few cells
                wy[j] = freq * StrictMath.sin(angle);
                wx[j] = freq * StrictMath.cos(angle);
                phase[j] = rng.nextDouble() * 2 * Math.PI;
                waveDir[j] = gaussians(rng, e, TEXTURE_GAIN / Math.sqrt(TEXTURE_WAVES));
            }
        }

        /** Adds {@code weight} x this material seen at local position (y, x) into {@code out}. */
        void addTo(double[] out, double y, double x, double weight) {
            for (int i = 0; i < out.length; i++) {
                out[i] += weight * semantic[i];
            }
            for (int j = 0; j < TEXTURE_WAVES; j++) {
                double a = weight * StrictMath.sin(wy[j] * y + wx[j] * x + phase[j]);
                double[] dir = waveDir[j];
                for (int i = 0; i < out.length; i++) {
                    out[i] += a * dir[i];
                }
            }
        }
    }

    /** A moving disc of one material. */
    private static final class Region {
        final Material material;
        final double y0, x0, vy, vx, radius;

        Region(SplittableRandom rng, int e, VideoKvConfig c) {
            material = new Material(rng, e);
            int small = Math.min(c.gridHeight(), c.gridWidth());
            radius = 1.5 + rng.nextDouble() * Math.max(0.5, 0.25 * small);
            y0 = rng.nextDouble() * c.gridHeight();
            x0 = rng.nextDouble() * c.gridWidth();
            double angle = rng.nextDouble() * 2 * Math.PI;
            double speed = c.motion() * (0.3 + 0.7 * rng.nextDouble());
            vy = speed * StrictMath.sin(angle);
            vx = speed * StrictMath.cos(angle);
        }
    }

    /** Generates keys and values for {@code c}. */
    public static VideoKv generate(VideoKvConfig c) {
        SplittableRandom rng = new SplittableRandom(c.seed());
        int e = c.embedDim(), heads = c.heads(), d = c.headDim();
        Material background = new Material(rng, e);
        Region[] regions = new Region[c.regions()];
        for (int r = 0; r < regions.length; r++) {
            regions[r] = new Region(rng, e, c);
        }
        double panAngle = rng.nextDouble() * 2 * Math.PI;
        double panY = 0.5 * c.motion() * StrictMath.sin(panAngle), panX = 0.5 * c.motion() * StrictMath.cos(panAngle);
        double[][] w1 = matrix(rng, e, e, 1.0 / Math.sqrt(e));
        double[][][] wk = new double[heads][][], wv = new double[heads][][];
        for (int h = 0; h < heads; h++) {
            wk[h] = matrix(rng, d, e, 1.5 / Math.sqrt(e));
            wv[h] = matrix(rng, d, e, 1.75 / Math.sqrt(e)); // unit-scale values, like the chelsea data
        }
        int[][] outliers = new int[heads][];
        double[][] outScale = new double[heads][], outOffset = new double[heads][];
        for (int h = 0; h < heads; h++) {
            outliers[h] = distinct(rng, c.outlierChannels(), d);
            outScale[h] = new double[outliers[h].length];
            outOffset[h] = new double[outliers[h].length];
            for (int j = 0; j < outliers[h].length; j++) {
                outScale[h][j] = c.outlierScale() * (0.5 + 0.5 * rng.nextDouble());
                outOffset[h][j] = (rng.nextBoolean() ? 1 : -1) * c.outlierScale() * (0.5 + rng.nextDouble());
            }
        }
        Rope rope = new Rope(d);

        int tokens = c.tokens();
        KvShape shape = new KvShape(1, heads, tokens, d);
        float[] keys = new float[shape.numel()];
        float[] values = new float[shape.numel()];
        double[] emb = new double[e], hidden = new double[e], k = new double[d];
        int s = 0;
        for (int t = 0; t < c.frames(); t++) {
            for (int y = 0; y < c.gridHeight(); y++) {
                for (int x = 0; x < c.gridWidth(); x++, s++) {
                    scene(c, background, regions, panY, panX, t, y, x, emb);
                    for (int i = 0; i < e; i++) {
                        emb[i] += c.noise() * gaussian(rng);
                    }
                    for (int i = 0; i < e; i++) {
                        hidden[i] = StrictMath.tanh(dot(w1[i], emb));
                    }
                    for (int h = 0; h < heads; h++) {
                        int base = (h * tokens + s) * d;
                        for (int j = 0; j < d; j++) {
                            k[j] = dot(wk[h][j], hidden);
                            values[base + j] = (float) dot(wv[h][j], hidden);
                        }
                        rope.apply(k, t, y, x);
                        for (int j = 0; j < outliers[h].length; j++) {
                            int ch = outliers[h][j];
                            k[ch] = k[ch] * outScale[h][j] + outOffset[h][j];
                        }
                        for (int j = 0; j < d; j++) {
                            keys[base + j] = (float) k[j];
                        }
                    }
                }
            }
        }
        return new VideoKv(KvTensor.wrap(shape, keys), KvTensor.wrap(shape, values), c, outliers);
    }

    /** Generates with {@link VideoKvConfig#defaults()} and the given seed. */
    public static VideoKv generate(long seed) {
        return generate(VideoKvConfig.defaults().withSeed(seed));
    }

    /** The noise-free embedding of grid cell (y, x) at frame t: regions painted over the background. */
    private static void scene(VideoKvConfig c, Material bg, Region[] regions, double panY, double panX, int t, int y,
                              int x, double[] out) {
        java.util.Arrays.fill(out, 0.0);
        double[] layer = new double[out.length];
        bg.addTo(out, y + panY * t, x + panX * t, 1.0);
        for (Region r : regions) {
            double cy = bounce(r.y0 + r.vy * t, c.gridHeight());
            double cx = bounce(r.x0 + r.vx * t, c.gridWidth());
            double dist = Math.sqrt((y - cy) * (y - cy) + (x - cx) * (x - cx));
            double w = 1.0 / (1.0 + StrictMath.exp((dist - r.radius) / EDGE));
            if (w < 1e-4) {
                continue;
            }
            java.util.Arrays.fill(layer, 0.0);
            // Texture in the region's own frame, so it moves with the region.
            r.material.addTo(layer, y - cy, x - cx, 1.0);
            for (int i = 0; i < out.length; i++) {
                out[i] = (1 - w) * out[i] + w * layer[i];
            }
        }
    }

    /** Position after bouncing between the walls 0 and {@code size}: a triangle wave. */
    private static double bounce(double p, double size) {
        double period = 2 * size;
        double m = p % period;
        if (m < 0) {
            m += period;
        }
        return m <= size ? m : period - m;
    }

    /**
     * Rotary embedding over three axes: the head dim's pairs {@code (2i, 2i+1)} are split into
     * time, row and column groups (rows and columns a third of the pairs each, time the rest),
     * each group with frequencies {@code base^(-i/n)} over its own position.
     */
    private static final class Rope {
        final int[] axis;
        final double[] freq;

        Rope(int d) {
            int pairs = d / 2;
            int spatial = pairs / 3;
            int time = pairs - 2 * spatial;
            axis = new int[pairs];
            freq = new double[pairs];
            int p = 0;
            int[] counts = {time, spatial, spatial};
            for (int a = 0; a < 3; a++) {
                for (int i = 0; i < counts[a]; i++, p++) {
                    axis[p] = a;
                    freq[p] = StrictMath.pow(ROPE_BASE, -(double) i / counts[a]);
                }
            }
        }

        void apply(double[] v, int t, int y, int x) {
            for (int p = 0; p < axis.length; p++) {
                double pos = axis[p] == 0 ? t : axis[p] == 1 ? y : x;
                double angle = pos * freq[p];
                double cos = StrictMath.cos(angle), sin = StrictMath.sin(angle);
                double a = v[2 * p], b = v[2 * p + 1];
                v[2 * p] = a * cos - b * sin;
                v[2 * p + 1] = a * sin + b * cos;
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[][] matrix(SplittableRandom rng, int rows, int cols, double scale) {
        double[][] m = new double[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = gaussians(rng, cols, scale);
        }
        return m;
    }

    private static double[] gaussians(SplittableRandom rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * gaussian(rng);
        }
        return v;
    }

    /** Standard normal by Box-Muller from two uniforms (one value per call, for a simple fixed order). */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log stays finite
        double u2 = rng.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    /** {@code n} distinct channels of {@code [0, d)}, by a partial Fisher-Yates shuffle. */
    private static int[] distinct(SplittableRandom rng, int n, int d) {
        int[] all = new int[d];
        for (int i = 0; i < d; i++) {
            all[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(d - i);
            int tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        int[] out = java.util.Arrays.copyOf(all, n);
        java.util.Arrays.sort(out);
        return out;
    }
}
