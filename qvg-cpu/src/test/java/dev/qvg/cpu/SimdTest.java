package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimdTest {

    @Test
    void onWhereAllowedTheModuleIsPresentAndVectorsAre256Or512Bits() {
        assertNull(Simd.decide(true, true, () -> 512));
        assertNull(Simd.decide(true, true, () -> 256));
    }

    @Test
    void eachReasonForOffNamesItsRemedyOrCause() {
        assertEquals("-Dqvg.cpu.simd=false", Simd.decide(false, true, () -> 512));
        assertTrue(Simd.decide(true, false, () -> 512).contains("--add-modules jdk.incubator.vector"));
        assertTrue(Simd.decide(true, true, () -> 128).contains("128 bits"));
        assertTrue(Simd.decide(true, true, () -> 1024).contains("1024 bits"));
        assertTrue(Simd.decide(true, true, () -> {
            throw new IllegalStateException("no intrinsics");
        }).contains("no intrinsics"));
    }

    @Test
    void theVectorApiIsNotProbedWhenTheModuleIsAbsentOrSimdIsOff() {
        assertTrue(Simd.decide(true, false, () -> {
            throw new AssertionError("probed");
        }) != null);
        assertTrue(Simd.decide(false, true, () -> {
            throw new AssertionError("probed");
        }) != null);
    }

    @Test
    void propertiesParseStrictly() {
        assertTrue(Simd.parseSwitch(" TRUE "));
        assertFalse(Simd.parseSwitch("false"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Simd.parseSwitch("yes"));
        assertTrue(e.getMessage().contains("qvg.cpu.simd=yes"), e.getMessage());
        assertEquals(Simd.DEFAULT_WARMUP_AFTER, Simd.parseWarmupAfter(null));
        assertEquals(Simd.DEFAULT_WARMUP_AFTER, Simd.parseWarmupAfter(" "));
        assertEquals(0L, Simd.parseWarmupAfter("0"));
        assertEquals(5_000_000_000L, Simd.parseWarmupAfter("5000000000"));
        for (String bad : new String[] {"-1", "lots", "1e9"}) {
            IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> Simd.parseWarmupAfter(bad));
            assertTrue(b.getMessage().contains("qvg.cpu.simd.warmupAfter=" + bad), b.getMessage());
        }
    }

    @Test
    void statusMatchesTheDecision() {
        assertTrue(Simd.status().startsWith(Simd.enabled() ? "on: " : "off: "), Simd.status());
    }
}
