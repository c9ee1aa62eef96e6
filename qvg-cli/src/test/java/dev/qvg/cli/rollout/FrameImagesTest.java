package dev.qvg.cli.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class FrameImagesTest {

    @Test
    void pixelsAreClampedScaledAndEnlarged() {
        // a 2 x 2 frame: red, half green, blue beyond 1, negative black
        float[] rgb = {1, 0, 0, 0, 0.5f, 0, 0, 0, 7, -3, -1, 0};
        BufferedImage img = FrameImages.image(rgb, 3);
        assertEquals(6, img.getWidth());
        assertEquals(6, img.getHeight());
        assertEquals(0xFF0000, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFF0000, img.getRGB(2, 2) & 0xFFFFFF, "nearest-neighbour enlargement");
        assertEquals(0x008000, img.getRGB(3, 0) & 0xFFFFFF, "0.5 rounds to 128");
        assertEquals(0x0000FF, img.getRGB(0, 3) & 0xFFFFFF, "clamped to 1");
        assertEquals(0x000000, img.getRGB(5, 5) & 0xFFFFFF, "clamped to 0");
    }

    @Test
    void refusesWhatIsNotASquareRgbFrame() {
        assertThrows(IllegalArgumentException.class, () -> FrameImages.image(new float[7], 1));
        assertThrows(IllegalArgumentException.class, () -> FrameImages.image(new float[12], 0));
    }
}
