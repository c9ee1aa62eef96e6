package dev.qvg.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** Where the host emulation cannot run: a skip with the reason, but in CI a missing g++ is a failure naming it. */
class HostEmulatorPolicyTest {

    @Test
    void aMissingCompilerFailsInCiAndSkipsElsewhere() {
        String why = "no C++ compiler (g++) to build the host emulation: Cannot run program g++";
        AssertionError e = assertThrows(AssertionError.class, () -> HostEmulator.skipOrFail("T", why, true, true));
        assertTrue(e.getMessage().contains("g++"), e.getMessage());
        assertThrows(TestAbortedException.class, () -> HostEmulator.skipOrFail("T", why, true, false));
    }

    @Test
    void missingSourcesSkipEvenInCi() {
        assertThrows(TestAbortedException.class, () -> HostEmulator.skipOrFail("T", "qvg-cuda sources not found", false, true));
    }
}
