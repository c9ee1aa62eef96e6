package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code qvg conformance}: the kit's table for a correct backend and for a deliberately wrong one. */
class ConformanceCommandTest {

    @Test
    void cpuBackendPasses() {
        CliRun r = CliRun.run("conformance", "--backend", "cpu", "--seed", "42", "--multiplier", "0.25");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("backend 'cpu'"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("TOTAL") && l.endsWith("PASS")), r.out());
    }

    @Test
    void wrongPackingOrderFailsWithExitOne() {
        CliRun r = CliRun.run("conformance", "--backend", "swappednibbles", "--seed", "42", "--multiplier", "0.25");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("block quantization") && l.endsWith("FAIL")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("TOTAL") && l.endsWith("FAIL")), r.out());
        assertTrue(r.err().contains("fails"), r.toString());
    }

    @Test
    void unknownBackendIsUsageError() {
        CliRun r = CliRun.run("conformance", "--backend", "nosuch");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("available: ") && r.err().contains("cpu"), r.toString());
    }

    @Test
    void theOtherSpisKitsRunForANamedProvider() {
        for (String[] c : new String[][] {{"--clusterer", "kmeans"}, {"--smoother", "sas"}, {"--residual", "prq"},
                {"--method", "kivi"}}) {
            CliRun r = CliRun.run("conformance", c[0], c[1], "--seed", "42");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains(c[0].substring(2) + " '" + c[1] + "'"), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("TOTAL") && l.endsWith("PASS")), r.out());
        }
    }

    @Test
    void exactlyOneProviderIsNamed() {
        CliRun r = CliRun.run("conformance", "--backend", "cpu", "--method", "rtn");
        assertEquals(2, r.exit(), r.toString());
        r = CliRun.run("conformance", "--method", "nosuch");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("unknown method 'nosuch'"), r.toString());
    }
}
