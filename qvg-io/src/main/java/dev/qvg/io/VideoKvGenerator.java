package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.SplittableRandom;

/**
 * Built-in video-like K and V tensors, so evaluations run with no download. A scene of a
 * textured background and a few textured, deforming regions ("objects") moving in straight
 * lines and bouncing off the frame edges is filmed by a camera that pans, zooms and shakes by
 * sub-cell amounts, under flickering light with a drifting shadow band, and sampled on a
 * {@code frames x H x W} token grid. Textures span several octaves of spatial frequency (down to
 * finer than a token), drift over time (non-rigid motion) and regions slowly change appearance.
 * Each token gets the blend of the materials covering it plus noise, goes through a fixed random
 * nonlinear embedding, and is projected per head to keys and values. Keys get 3-D rotary
 * position embedding over (time, row, column) and a few large-magnitude scaled and offset
 * channels, as the keys of real video diffusion transformers have; values get neither.
 *
 * <p>Deterministic: the same config (seed included) gives the same bits on every JVM, because
 * randomness comes from {@link SplittableRandom}'s specified algorithm and transcendental
 * functions from {@link StrictMath}. Single-threaded; the default size takes about a second.
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
    /** Sinusoids per material texture, spread over several octaves of spatial frequency. */
    private static final int TEXTURE_WAVES = 16;
    /** Texture frequency range in radians per cell: from a period of ~30 cells down to finer than a cell. */
    private static final double FREQ_MIN = 0.2, FREQ_MAX = 5.0;
    /** Texture energy relative to the material's semantic vector (natural images: most energy is texture). */
    private static final double TEXTURE_GAIN = 1.8;
    /** Largest rate at which a region's appearance turns towards a second look, in radians per frame. */
    private static final double APPEARANCE_RATE = 0.12;
    /** Standard deviation of a region's texture phase drift (non-rigid motion), radians per frame. */
    private static final double REGION_DRIFT = 0.15;
    /** Same for the background (wind in foliage, water): slower. */
    private static final double BACKGROUND_DRIFT = 0.04;
    /** Camera: largest zoom rate per frame, and hand-held shake in cells (standard deviation per frame). */
    private static final double ZOOM_RATE = 0.015, SHAKE = 0.12;
    /** Illumination: global flicker amplitude, and amplitude of a moving shadow band. */
    private static final double FLICKER = 0.08, SHADOW = 0.25;
    /** Boundary wobble of regions (relative radius change), so objects are not discs and deform. */
    private static final double WOBBLE = 0.2;
    private static final double ROPE_BASE = 10000.0;

    private VideoKvGenerator() {
    }

    /**
     * One material: a semantic vector that can turn towards a second one over time (appearance
     * change: pose, lighting, expression), plus a texture of sinusoids in its own coordinates with
     * equal energy per octave (the 1/f amplitude spectrum of natural images). A patch embedding
     * sees a sinusoid of the image as a feature that rotates with its phase, so each wave has two
     * quadrature directions: a sub-patch shift moves a token along a circle, not through zero.
     */
    private static final class Material {
        final double[] semantic, semantic2;
        final double rate;
        final double[][] dirA, dirB; // [wave][E]
        final double[] wy, wx, phase, drift;

        Material(SplittableRandom rng, int e, double maxRate, double driftStd) {
            semantic = gaussians(rng, e, 1.0);
            semantic2 = gaussians(rng, e, 1.0);
            rate = maxRate * rng.nextDouble();
            dirA = new double[TEXTURE_WAVES][];
            dirB = new double[TEXTURE_WAVES][];
            wy = new double[TEXTURE_WAVES];
            wx = new double[TEXTURE_WAVES];
            phase = new double[TEXTURE_WAVES];
            drift = new double[TEXTURE_WAVES];
            double amp = TEXTURE_GAIN / Math.sqrt(TEXTURE_WAVES);
            for (int j = 0; j < TEXTURE_WAVES; j++) {
                double angle = rng.nextDouble() * 2 * Math.PI;
                // Log-uniform frequencies with equal amplitudes: equal energy per octave.
                double freq = FREQ_MIN * StrictMath.pow(FREQ_MAX / FREQ_MIN, rng.nextDouble());
                wy[j] = freq * StrictMath.sin(angle);
                wx[j] = freq * StrictMath.cos(angle);
                phase[j] = rng.nextDouble() * 2 * Math.PI;
                drift[j] = driftStd * gaussian(rng);
                dirA[j] = gaussians(rng, e, amp);
                dirB[j] = gaussians(rng, e, amp);
            }
        }

        /** Adds {@code weight} x this material at frame t, seen at local position (y, x), into {@code out}. */
        void addTo(double[] out, int t, double y, double x, double weight) {
            double a = StrictMath.cos(rate * t), b = StrictMath.sin(rate * t);
            double wa = weight * a, wb = weight * b;
            for (int i = 0; i < out.length; i++) {
                out[i] += wa * semantic[i] + wb * semantic2[i];
            }
            for (int j = 0; j < TEXTURE_WAVES; j++) {
                double theta = wy[j] * y + wx[j] * x + phase[j] + drift[j] * t;
                double c = weight * StrictMath.cos(theta), s = weight * StrictMath.sin(theta);
                double[] da = dirA[j], db = dirB[j];
                for (int i = 0; i < out.length; i++) {
                    out[i] += c * da[i] + s * db[i];
                }
            }
        }
    }

    /** A moving, deforming blob of one material, in world (scene) coordinates. */
    private static final class Region {
        final Material material;
        final double y0, x0, vy, vx, radius;
        final double[] wobblePhase = new double[2], wobbleRate = new double[2];

        Region(SplittableRandom rng, int e, VideoKvConfig c) {
            material = new Material(rng, e, APPEARANCE_RATE, REGION_DRIFT);
            int small = Math.min(c.gridHeight(), c.gridWidth());
            radius = 1.5 + rng.nextDouble() * Math.max(0.5, 0.25 * small);
            y0 = rng.nextDouble() * c.gridHeight();
            x0 = rng.nextDouble() * c.gridWidth();
            double angle = rng.nextDouble() * 2 * Math.PI;
            double speed = c.motion() * (0.3 + 0.7 * rng.nextDouble());
            vy = speed * StrictMath.sin(angle);
            vx = speed * StrictMath.cos(angle);
            for (int m = 0; m < 2; m++) {
                wobblePhase[m] = rng.nextDouble() * 2 * Math.PI;
                wobbleRate[m] = 0.2 * gaussian(rng);
            }
        }

        /** Soft coverage of world point (y, x) at frame t given the region's centre (cy, cx). */
        double coverage(double y, double x, int t, double cy, double cx) {
            double dy = y - cy, dx = x - cx;
            double dist = Math.sqrt(dy * dy + dx * dx);
            double edge = radius * (1 + 2 * WOBBLE) + 6 * EDGE;
            if (dist > edge) {
                return 0.0;
            }
            double ang = StrictMath.atan2(dy, dx);
            double r = radius * (1 + WOBBLE * StrictMath.sin(2 * ang + wobblePhase[0] + wobbleRate[0] * t)
                    + 0.5 * WOBBLE * StrictMath.sin(3 * ang + wobblePhase[1] + wobbleRate[1] * t));
            return 1.0 / (1.0 + StrictMath.exp((dist - r) / EDGE));
        }
    }

    /** Camera path and illumination, fixed per sequence. */
    private static final class Camera {
        final double panY, panX, zoom, cy, cx;
        final double[] shakeY, shakeX, flicker;
        final double shadowKy, shadowKx, shadowSpeed, shadowPhase;

        Camera(SplittableRandom rng, VideoKvConfig c) {
            double panAngle = rng.nextDouble() * 2 * Math.PI;
            double panSpeed = 0.5 * c.motion() * (0.5 + 0.5 * rng.nextDouble());
            panY = panSpeed * StrictMath.sin(panAngle);
            panX = panSpeed * StrictMath.cos(panAngle);
            zoom = ZOOM_RATE * (2 * rng.nextDouble() - 1);
            cy = 0.5 * (c.gridHeight() - 1);
            cx = 0.5 * (c.gridWidth() - 1);
            shakeY = new double[c.frames()];
            shakeX = new double[c.frames()];
            flicker = new double[c.frames()];
            double shake = c.motion() > 0 ? SHAKE : 0.0;
            for (int t = 0; t < c.frames(); t++) {
                shakeY[t] = shake * gaussian(rng);
                shakeX[t] = shake * gaussian(rng);
                flicker[t] = 1 + FLICKER * (2 * rng.nextDouble() - 1);
            }
            double shadowAngle = rng.nextDouble() * 2 * Math.PI;
            double shadowFreq = 2 * Math.PI / (1.5 * Math.max(c.gridHeight(), c.gridWidth()));
            shadowKy = shadowFreq * StrictMath.sin(shadowAngle);
            shadowKx = shadowFreq * StrictMath.cos(shadowAngle);
            shadowSpeed = 0.3 * (0.5 + rng.nextDouble());
            shadowPhase = rng.nextDouble() * 2 * Math.PI;
        }

        /** Zoom factor at frame t (above 1: zoomed in). */
        double scale(int t) {
            return 1 + zoom * t;
        }

        /** Brightness gain at screen cell (y, x), frame t: global flicker times a drifting shadow band. */
        double light(int t, int y, int x) {
            double band = StrictMath.sin(shadowKy * y + shadowKx * x - shadowSpeed * t + shadowPhase);
            return flicker[t] * (1 + SHADOW * band);
        }
    }

    /** Generates keys and values for {@code c}. */
    public static VideoKv generate(VideoKvConfig c) {
        SplittableRandom rng = new SplittableRandom(c.seed());
        int e = c.embedDim(), heads = c.heads(), d = c.headDim();
        Material background = new Material(rng, e, 0.0, BACKGROUND_DRIFT);
        Region[] regions = new Region[c.regions()];
        for (int r = 0; r < regions.length; r++) {
            regions[r] = new Region(rng, e, c);
        }
        Camera camera = new Camera(rng, c);
        double[][] w1 = matrix(rng, e, e, 1.0 / Math.sqrt(e));
        double[] b1 = gaussians(rng, e, 0.1);
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
        // Embedding scale: semantic plus texture energy is 1 + TEXTURE_GAIN^2 per component; bring it back to ~1.
        double embScale = 1.0 / Math.sqrt(1 + TEXTURE_GAIN * TEXTURE_GAIN);

        int tokens = c.tokens();
        KvShape shape = new KvShape(1, heads, tokens, d);
        float[] keys = new float[shape.numel()];
        float[] values = new float[shape.numel()];
        double[] emb = new double[e], layer = new double[e], hidden = new double[e], k = new double[d];
        int s = 0;
        for (int t = 0; t < c.frames(); t++) {
            double[][] centres = regionCentres(regions, c, t);
            for (int y = 0; y < c.gridHeight(); y++) {
                for (int x = 0; x < c.gridWidth(); x++, s++) {
                    scene(background, regions, centres, camera, t, y, x, emb, layer);
                    double gain = embScale * camera.light(t, y, x);
                    for (int i = 0; i < e; i++) {
                        emb[i] = gain * emb[i] + c.noise() * gaussian(rng);
                    }
                    for (int i = 0; i < e; i++) {
                        hidden[i] = StrictMath.tanh(dot(w1[i], emb) + b1[i]);
                    }
                    for (int h = 0; h < heads; h++) {
                        int base = (h * tokens + s) * d;
                        for (int j = 0; j < d; j++) {
                            k[j] = dot(wk[h][j], hidden);
                            values[base + j] = (float) dot(wv[h][j], hidden);
                        }
                        // Massive channels come from the projection (large-norm rows of W_k plus
                        // a bias), so they are there before the rotary embedding: in a slowly
                        // rotating pair they stay a near-constant offset, in a fast one the
                        // rotation spreads them over both channels of the pair as large swings.
                        for (int j = 0; j < outliers[h].length; j++) {
                            int ch = outliers[h][j];
                            k[ch] = k[ch] * outScale[h][j] + outOffset[h][j];
                        }
                        rope.apply(k, t, y, x);
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

    /** World-coordinate centre of every region at frame t. */
    private static double[][] regionCentres(Region[] regions, VideoKvConfig c, int t) {
        double[][] out = new double[regions.length][];
        for (int r = 0; r < regions.length; r++) {
            Region g = regions[r];
            out[r] = new double[]{bounce(g.y0 + g.vy * t, c.gridHeight()), bounce(g.x0 + g.vx * t, c.gridWidth())};
        }
        return out;
    }

    /**
     * The noise-free embedding of screen cell (y, x) at frame t: the camera maps the cell to a world
     * point (pan, zoom about the frame centre, shake: all sub-cell in general), where regions are
     * painted over the background.
     */
    private static void scene(Material bg, Region[] regions, double[][] centres, Camera cam, int t, int y, int x,
                              double[] out, double[] layer) {
        double z = cam.scale(t);
        double wy = cam.cy + (y - cam.cy) / z + cam.panY * t + cam.shakeY[t];
        double wx = cam.cx + (x - cam.cx) / z + cam.panX * t + cam.shakeX[t];
        java.util.Arrays.fill(out, 0.0);
        bg.addTo(out, t, wy, wx, 1.0);
        for (int r = 0; r < regions.length; r++) {
            double cy = centres[r][0], cx = centres[r][1];
            double w = regions[r].coverage(wy, wx, t, cy, cx);
            if (w < 1e-4) {
                continue;
            }
            java.util.Arrays.fill(layer, 0.0);
            // Texture in the region's own frame, so it moves with the region.
            regions[r].material.addTo(layer, t, wy - cy, wx - cx, 1.0);
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
