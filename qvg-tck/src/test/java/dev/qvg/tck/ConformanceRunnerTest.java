package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.reference.ReferenceBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConformanceRunnerTest {

    private static final ConformanceRunner.Options SEEDED = ConformanceRunner.Options.defaults().withSeed(0x5EEDL);

    @Test
    void theReferencePassesTheWholeKit() {
        ConformanceReport report = ConformanceRunner.run("reference", ReferenceBackend::new, SEEDED);
        assertEquals("reference", report.backend());
        assertEquals(0x5EEDL, report.seed());
        assertTrue(report.count(ConformanceReport.Status.PASSED) > 250, report.table());
        // The runner checks the full contract, use after close() included, and the reference meets all of it.
        assertEquals(0, report.failures().size(), report.table());
        assertTrue(report.passed(), report.table());
    }

    @Test
    void everyBuiltInProviderOfTheOtherSpisPassesItsKit() {
        String[][] cases = {{"CLUSTERER", "kmeans"}, {"SMOOTHER", "sas"}, {"RESIDUAL", "prq"}, {"METHOD", "rtn"},
                {"METHOD", "rtn-clip"}, {"METHOD", "kivi"}, {"METHOD", "sas"}, {"METHOD", "prq"}};
        for (String[] c : cases) {
            ConformanceRunner.Kind kind = ConformanceRunner.Kind.valueOf(c[0]);
            ConformanceReport report = ConformanceRunner.runProvider(kind, c[1], SEEDED);
            assertTrue(report.passed(), kind + " " + c[1] + ":\n" + report.table());
            assertTrue(report.table().startsWith("qvg conformance: " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " '" + c[1] + "'"), report.table());
        }
    }

    @Test
    void anUnknownProviderFailsNamingWhatIsThere() {
        ConformanceReport report = ConformanceRunner.runProvider(ConformanceRunner.Kind.SMOOTHER, "nosuch", SEEDED);
        assertFalse(report.passed());
        assertTrue(report.table().contains("no smoother provider named 'nosuch'"), report.table());
    }

    @Test
    void aBrokenBackendFailsAndTheTableSaysWhere() {
        ConformanceReport report = ConformanceRunner.run("mutant",
                () -> new MutantBackend(MutantBackend.Mutation.INT4_NIBBLES_SWAPPED), SEEDED);
        assertFalse(report.passed());
        String table = report.table();
        assertTrue(table.contains("block quantization"), table);
        assertTrue(table.contains("FAILED  [block quantization] goldenBytes(GoldenBlocks) int4-sym-bf16"), table);
        assertTrue(table.contains("Reproduce with -Dqvg.tck.seed=0x0000000000005EED"), table);
        assertTrue(report.find("int4").stream().anyMatch(e -> e.status() == ConformanceReport.Status.FAILED));
        assertTrue(report.find("int2").stream().allMatch(e -> e.status() != ConformanceReport.Status.FAILED),
                "only the 4-bit cases fail: " + table);
    }

    @Test
    void cliRefusesBadArgumentsWithStatus2() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8), e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, ConformanceRunner.runCli(new String[]{}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--backend NAME is required"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, ConformanceRunner.runCli(new String[]{"--backend", "nosuch"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no backend provider named 'nosuch'"),
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, ConformanceRunner.runCli(new String[]{"--backend", "ghostgpu"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot be used here: no CUDA driver"),
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, ConformanceRunner.runCli(new String[]{"--backend"}, o, e));
        assertEquals(2, ConformanceRunner.runCli(new String[]{"--speed", "9"}, o, e));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
