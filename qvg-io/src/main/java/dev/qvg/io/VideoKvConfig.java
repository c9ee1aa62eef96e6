package dev.qvg.io;

/**
 * Settings of {@link VideoKvGenerator}. Tokens are {@code frames x gridHeight x gridWidth} in
 * (time, row, column) order; the default, 16 frames of 16 x 16, gives 4096 tokens of two heads
 * of dimension 128, the size of the shared chelsea data.
 *
 * @param frames          latent frames
 * @param gridHeight      token rows per frame
 * @param gridWidth       token columns per frame
 * @param heads           attention heads (B is always 1)
 * @param headDim         head dimension (even, at least 6 for the three rotary axes)
 * @param embedDim        width of the token embedding the heads project from
 * @param regions         moving semantic regions (objects) over the background
 * @param noise           per-token noise, relative to the unit-scale embedding
 * @param outlierChannels key channels per head given a large scale and offset (0 disables)
 * @param outlierScale    magnitude multiplier of those channels
 * @param motion          largest region speed in grid cells per frame (the camera pans at a quarter to half
 *                        of it; 0 also stops the camera shake)
 * @param seed            everything random derives from it
 */
public record VideoKvConfig(int frames, int gridHeight, int gridWidth, int heads, int headDim, int embedDim,
                            int regions, double noise, int outlierChannels, double outlierScale, double motion,
                            long seed) {

    public VideoKvConfig {
        positive("frames", frames);
        positive("gridHeight", gridHeight);
        positive("gridWidth", gridWidth);
        positive("heads", heads);
        positive("embedDim", embedDim);
        if (headDim < 6 || headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim: must be even and at least 6 (rotary pairs over time, row, column), got "
                    + headDim);
        }
        long tokens = (long) frames * gridHeight * gridWidth;
        if (tokens * heads * headDim > dev.qvg.api.tensor.KvShape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("frames x grid x heads x headDim = " + tokens * heads * headDim
                    + " elements is more than one tensor holds");
        }
        if (regions < 0) {
            throw new IllegalArgumentException("regions: must not be negative, got " + regions);
        }
        if (!(noise >= 0 && noise <= 10)) {
            throw new IllegalArgumentException("noise: must be in [0, 10], got " + noise);
        }
        if (outlierChannels < 0 || outlierChannels > headDim) {
            throw new IllegalArgumentException("outlierChannels: must be in 0.." + headDim + ", got " + outlierChannels);
        }
        if (!(outlierScale >= 1 && outlierScale <= 1e4)) {
            throw new IllegalArgumentException("outlierScale: must be in [1, 10000], got " + outlierScale);
        }
        if (!(motion >= 0 && motion <= 100)) {
            throw new IllegalArgumentException("motion: must be in [0, 100] cells per frame, got " + motion);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + ": must be positive, got " + v);
        }
    }

    /** [1, 2, 4096, 128]: 16 frames of 16 x 16, 6 regions, noise 0.05, 4 outlier channels x 10, motion 0.6. */
    public static VideoKvConfig defaults() {
        return new VideoKvConfig(16, 16, 16, 2, 128, 256, 6, 0.05, 4, 10.0, 0.6, 0L);
    }

    public int tokens() {
        return frames * gridHeight * gridWidth;
    }

    public VideoKvConfig withSeed(long s) {
        return new VideoKvConfig(frames, gridHeight, gridWidth, heads, headDim, embedDim, regions, noise, outlierChannels,
                outlierScale, motion, s);
    }

    public VideoKvConfig withSize(int newFrames, int newGridHeight, int newGridWidth, int newHeads, int newHeadDim) {
        return new VideoKvConfig(newFrames, newGridHeight, newGridWidth, newHeads, newHeadDim, embedDim, regions, noise,
                outlierChannels, outlierScale, motion, seed);
    }

    public VideoKvConfig withNoise(double n) {
        return new VideoKvConfig(frames, gridHeight, gridWidth, heads, headDim, embedDim, regions, n, outlierChannels,
                outlierScale, motion, seed);
    }

    public VideoKvConfig withRegions(int r) {
        return new VideoKvConfig(frames, gridHeight, gridWidth, heads, headDim, embedDim, r, noise, outlierChannels,
                outlierScale, motion, seed);
    }

    public VideoKvConfig withOutliers(int channels, double scale) {
        return new VideoKvConfig(frames, gridHeight, gridWidth, heads, headDim, embedDim, regions, noise, channels, scale,
                motion, seed);
    }

    public VideoKvConfig withEmbedDim(int e) {
        return new VideoKvConfig(frames, gridHeight, gridWidth, heads, headDim, e, regions, noise, outlierChannels,
                outlierScale, motion, seed);
    }
}
