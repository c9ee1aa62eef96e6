package dev.qvg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerformanceReportTest {

    @Test
    void writesTheReportAndItsPlots(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("results.json");
        Files.writeString(json, FixtureResults.text());
        Path out = dir.resolve("docs").resolve("performance.md");
        PerformanceReport.Args args = PerformanceReport.parse(new String[] {"--out", out.toString(), "--date",
                "2026-11-25", "--note", "shared machine", json.toString()});
        PerformanceReport.generate(args);

        String md = Files.readString(out);
        assertTrue(md.contains("- Date: 2026-11-25"), md);
        assertTrue(md.contains("**Caveat:** shared machine"), md);
        assertTrue(md.contains("`-f 1 -wi 1 -i 3 -w 1s -r 1s -t 1`"), md);
        assertTrue(md.contains("26.84 GB/s"), "the copy limit: " + md);
        assertTrue(md.contains("134.22 GFLOP/s"), "the SGEMM limit: " + md);
        assertTrue(md.contains("| k-means iteration (assign + update) | cpu | 4096 | 1 | 20.0 ms | 204.8 k | "
                + "13.42 GFLOP/s | 134.22 GFLOP/s | ⚠ 10.0% |"), md);
        assertTrue(md.contains("| unpack + dequant (bits=2) | cpu | 4096 | 1 |"), md);
        assertTrue(md.contains("41.8%"), md);
        assertTrue(md.contains("4096→16384: 1.00"), "the S exponent: " + md);
        assertTrue(md.contains("OtherBenchmark.run"), md);
        // k-means has two sizes at 2 threads: the plots are drawn and embedded.
        assertTrue(Files.size(out.resolveSibling(ScalingPlot.TIME_PNG)) > 1000);
        assertTrue(Files.size(out.resolveSibling(ScalingPlot.FRACTION_PNG)) > 1000);
        assertTrue(md.contains("![" + ScalingPlot.TIME_PNG + "](" + ScalingPlot.TIME_PNG + ")"), md);
    }

    @Test
    void aMissingResultFileSaysHowToMakeOne(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        PerformanceReport.Args args = PerformanceReport.parse(new String[] {"--out", dir.resolve("p.md").toString(),
                missing.toString()});
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> PerformanceReport.generate(args));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("-rf json"), e.getMessage());
    }

    @Test
    void commandLineErrorsAreExplained() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> PerformanceReport.parse(new String[] {"--out", "x.md"}));
        assertTrue(none.getMessage().contains("-rf json"), none.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PerformanceReport.parse(new String[] {"--bogus", "r.json"}));
        assertTrue(bad.getMessage().contains("--bogus"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerformanceReport.parse(new String[] {"r.json", "--note"}));
        PerformanceReport.Args ok = PerformanceReport.parse(new String[] {"a.json", "b.json"});
        assertEquals(List.of(Path.of("a.json"), Path.of("b.json")), ok.inputs());
        assertEquals(Path.of("docs", "performance.md"), ok.out());
    }
}
