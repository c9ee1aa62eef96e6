package dev.qvg.cli.rollout;

import com.madgag.gif.fmsware.AnimatedGifEncoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Decoded RGB frames ({@code [pixels, pixels, 3]} row-major, values in [0, 1]) as images: PNG per
 * frame or one animated GIF, enlarged by an integer factor with nearest-neighbour so the tiny
 * model's frames stay crisp.
 */
public final class FrameImages {

    private FrameImages() {
    }

    /** The frame as an {@code (pixels * scale)}-square RGB image. */
    public static BufferedImage image(float[] rgb, int scale) {
        int n = (int) Math.round(Math.sqrt(rgb.length / 3.0));
        if (n * n * 3 != rgb.length) {
            throw new IllegalArgumentException("frame: " + rgb.length + " values are not a square RGB image");
        }
        if (scale < 1) {
            throw new IllegalArgumentException("scale: must be at least 1, got " + scale);
        }
        BufferedImage img = new BufferedImage(n * scale, n * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int o = (y * n + x) * 3;
                int p = channel(rgb[o]) << 16 | channel(rgb[o + 1]) << 8 | channel(rgb[o + 2]);
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        img.setRGB(x * scale + dx, y * scale + dy, p);
                    }
                }
            }
        }
        return img;
    }

    private static int channel(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255);
    }

    public static byte[] png(float[] rgb, int scale) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        if (!ImageIO.write(image(rgb, scale), "png", bos)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        return bos.toByteArray();
    }

    /** All frames as a looping animated GIF at {@code fps} frames per second. */
    public static byte[] gif(List<float[]> frames, int scale, int fps) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        AnimatedGifEncoder e = new AnimatedGifEncoder();
        e.start(bos);
        e.setRepeat(0);
        e.setDelay(Math.max(1, 1000 / fps));
        for (float[] f : frames) {
            if (!e.addFrame(image(f, scale))) {
                throw new IOException("GIF encoder refused a frame");
            }
        }
        if (!e.finish()) {
            throw new IOException("GIF encoder failed to finish");
        }
        return bos.toByteArray();
    }
}
