package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TckSettingsTest {

    private static TckSettings of(Map<String, String> m) {
        return TckSettings.from(k -> Optional.ofNullable(m.get(k)));
    }

    @Test
    void printedSeedParsesBackToTheSameValue() {
        for (long s : new long[]{0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x52D48F5C971CA765L}) {
            String printed = TckSettings.formatSeed(s);
            assertEquals(18, printed.length(), printed);
            assertEquals(s, TckSettings.parseSeed(printed));
        }
        assertEquals(-42, TckSettings.parseSeed(" -42 "));
        assertEquals(0xFFL, TckSettings.parseSeed("0Xff"));
    }

    @Test
    void givenSeedAndMultiplierAreUsed() {
        TckSettings s = of(Map.of(TckSettings.SEED, "0x10", TckSettings.MULTIPLIER, "2.5"));
        assertEquals(16, s.seed());
        assertTrue(s.seedChosen());
        assertEquals(25, s.scaled(10));
        assertEquals("-Dqvg.tck.seed=0x0000000000000010 -Dqvg.tck.multiplier=2.5", s.rerunFlag());
    }

    @Test
    void withoutASeedOneRandomValueIsSharedByTheWholeJvm() {
        TckSettings a = of(Map.of()), b = of(Map.of(TckSettings.SEED, " "));
        assertFalse(a.seedChosen());
        assertEquals(a.seed(), b.seed());
        assertEquals(1.0, a.multiplier());
        assertEquals(1, a.scaled(0), "scaled sizes never drop below 1");
    }

    @Test
    void badValuesNameTheProperty() {
        var e = assertThrows(IllegalArgumentException.class, () -> of(Map.of(TckSettings.SEED, "12ab")));
        assertTrue(e.getMessage().startsWith("qvg.tck.seed:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> of(Map.of(TckSettings.MULTIPLIER, "fast")));
        assertTrue(e.getMessage().startsWith("qvg.tck.multiplier:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> of(Map.of(TckSettings.MULTIPLIER, "0")));
        assertTrue(e.getMessage().startsWith("qvg.tck.multiplier:"), e.getMessage());
    }
}
