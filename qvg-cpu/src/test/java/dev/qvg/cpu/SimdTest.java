package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimdTest {

    @Test
    void onWhereTheModuleIsPresentAndVectorsAre256Or512Bits() {
        assertNull(Simd.decide("true", true, () -> 512));
        assertNull(Simd.decide(" TRUE ", true, () -> 256));
    }

    @Test
    void eachReasonForOffNamesItsRemedyOrCause() {
        assertEquals("-Dqvg.cpu.simd=false", Simd.decide("false", true, () -> 512));
        assertTrue(Simd.decide("true", false, () -> 512).contains("--add-modules jdk.incubator.vector"));
        assertTrue(Simd.decide("true", true, () -> 128).contains("128 bits"));
        assertTrue(Simd.decide("true", true, () -> 1024).contains("1024 bits"));
        assertTrue(Simd.decide("true", true, () -> {
            throw new IllegalStateException("no intrinsics");
        }).contains("no intrinsics"));
    }

    @Test
    void aMistypedPropertyIsAnErrorNotSilentlyOff() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Simd.decide("yes", true, () -> 512));
        assertTrue(e.getMessage().contains("qvg.cpu.simd=yes"), e.getMessage());
    }

    @Test
    void statusMatchesTheDecision() {
        assertTrue(Simd.status().startsWith(Simd.enabled() ? "on: " : "off: "), Simd.status());
    }

    @Test
    void theModuleIsNotProbedWhenAbsent() {
        assertTrue(Simd.decide("true", false, () -> {
            throw new AssertionError("probed");
        }) != null);
    }
}
