package dev.qvg.models.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelConfigsTest {

    @Test
    void lookupIgnoresCase() {
        assertSame(ModelConfigs.SELF_FORCING, ModelConfigs.byName("Self-Forcing"));
        assertSame(ModelConfigs.LINGBOT_WORLD, ModelConfigs.byName(" LINGBOT-WORLD "));
        assertEquals(4, ModelConfigs.all().size());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelConfigs.byName("sora"));
        for (String n : ModelConfigs.names()) {
            assertTrue(e.getMessage().contains(n), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ModelConfigs.byName(null));
    }

    @Test
    void geometryMatchesTheSpec() {
        // Spec section 8: layers 48 / 30 / 30 / 40; Self-Forcing 12 x 128; LingBot-World 40 x 128.
        assertEquals(48, ModelConfigs.LONGCAT_VIDEO.layers());
        assertEquals(30, ModelConfigs.SELF_FORCING.layers());
        assertEquals(30, ModelConfigs.HY_WORLDPLAY.layers());
        assertEquals(40, ModelConfigs.LINGBOT_WORLD.layers());
        assertEquals(12 * 128, ModelConfigs.SELF_FORCING.kvWidth());
        assertEquals(40 * 128, ModelConfigs.LINGBOT_WORLD.kvWidth());
        // 480x832 through an 8x VAE and 2x2 patches.
        assertEquals((480 / 16) * (832 / 16), ModelConfigs.SELF_FORCING.tokensPerLatentFrame());
        // 704x1280 through a 16x VAE and 2x2 patches.
        assertEquals((704 / 32) * (1280 / 32), ModelConfigs.HY_WORLDPLAY.tokensPerLatentFrame());
    }

    @Test
    void framesAndSeconds() {
        ModelConfig m = ModelConfigs.SELF_FORCING;
        assertEquals(81, m.videoFrames(21)); // Self-Forcing's 21 latent frames = 81 video frames
        assertEquals(81 / 16.0, m.seconds(21), 1e-12);
        assertEquals(21, m.latentFramesForSeconds(81 / 16.0));
        assertEquals(1, m.latentFramesForSeconds(0.01));
        assertThrows(IllegalArgumentException.class, () -> m.latentFramesForSeconds(-1));
    }
}
