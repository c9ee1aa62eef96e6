package dev.qvg.models.tiny;

import java.awt.image.BufferedImage;

/** Decoded frames as images (for PNG or animation writers). */
public final class FrameImages {

    private FrameImages() {
    }

    /** An RGB image of a decoded frame ({@code [size, size, 3]} values in [0, 1]). */
    public static BufferedImage toImage(float[] rgb, int size) {
        if (rgb.length != size * size * 3) {
            throw new IllegalArgumentException("image: " + size + "x" + size + " RGB needs " + size * size * 3
                    + " values, got " + rgb.length);
        }
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = (y * size + x) * 3;
                img.setRGB(x, y, byteOf(rgb[i]) << 16 | byteOf(rgb[i + 1]) << 8 | byteOf(rgb[i + 2]));
            }
        }
        return img;
    }

    private static int byteOf(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255)));
    }
}
