package dev.qvg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regenerating docs/performance.md keeps the hand-written sweep section (issue 19) and nothing else of the old file. */
class KeptSweepSectionTest {

    @TempDir
    Path dir;

    @Test
    void theSweepSectionIsCarriedOverWithItsMarkers() throws Exception {
        Path out = dir.resolve("performance.md");
        assertEquals("", PerformanceReport.keptSweepSection(out));
        Files.writeString(out, "# old report\n\nold tables\n\n<!-- sweep:begin -->\n## Sweeps on Spark\n\nfigures\n"
                + "<!-- sweep:end -->\n\ntrailing\n");
        assertEquals("\n<!-- sweep:begin -->\n## Sweeps on Spark\n\nfigures\n<!-- sweep:end -->\n",
                PerformanceReport.keptSweepSection(out));
        Files.writeString(out, "# old report without one\n<!-- sweep:end --> <!-- sweep:begin -->\n");
        assertEquals("", PerformanceReport.keptSweepSection(out));
    }
}
