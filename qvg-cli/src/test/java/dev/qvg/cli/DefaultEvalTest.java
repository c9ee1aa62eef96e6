package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qvg eval} on the built-in data (shrunk so the test is quick): the table, the summary and the plot. */
class DefaultEvalTest {

    @Test
    void builtInDataSuiteTableAndPlot(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("qvg-out");
        CliRun r = CliRun.run("eval", "--frames", "2", "--grid", "8x8", "--clusters", "16", "--out", out.toString());
        assertEquals(0, r.exit(), r.toString());
        // no progress drawn without a terminal; the one note is that KIVI's 128-token window covers these 128 tokens
        assertTrue(r.err().lines().allMatch(l -> l.startsWith("warning: kivi keeps all of '")), r.toString());
        String o = r.out();
        assertTrue(o.contains("built-in video-like KV (2 frames of 8x8 tokens, 2 heads x 128"), o);
        assertTrue(o.contains("k (keys, [1, 2, 128, 128]"), o);
        assertTrue(o.contains("v (values, [1, 2, 128, 128]"), o);
        // 4 methods, PRQ three times, at 2 and 4 bits: 12 rows per tensor
        assertTrue(o.contains("bits per value at the models' quantized spans") && o.contains("longcat-video S=29640"), o);
        String table = o.substring(0, o.indexOf("bits per value at the models' quantized spans"));
        // prq(1) int2 with 16 clusters on LongCat-Video's span: 2 + 16/64 + 8/128 + 16 x 16 / 29640 = 2.321 bits per value
        assertTrue(o.lines().anyMatch(l -> l.trim().startsWith("prq(1) int2") && l.matches(".*\\s2\\.321\\s.*")), o);
        for (String m : new String[] {"rtn", "kivi", "sas", "prq(1)", "prq(2)", "prq(4)"}) {
            long rows = table.lines().filter(l -> l.trim().startsWith(m + " ")).count();
            assertEquals(4, rows, m + " rows (2 bit widths x 2 tensors) in\n" + o);
        }
        // RTN int2 with block 64 and bf16 scales: exactly 2.25 bits per value, 7.11x
        assertTrue(o.lines().anyMatch(l -> l.matches("\\s+rtn\\s+2\\s+2\\.2500\\s+7\\.11x.*")), o);
        assertTrue(o.contains("MSE of rtn / MSE of:"), o);

        byte[] png = Files.readAllBytes(out.resolve("rate-distortion.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        String svg = Files.readString(out.resolve("rate-distortion.svg"));
        assertTrue(svg.contains("<svg") && svg.contains("viewBox=\"0 0 960 640\""), "an SVG document of the chart's size");
        // XChart draws text as outlines: title, axes, legend and 11 series give dozens of paths (67 measured)
        assertTrue(svg.split("<path").length > 40, "paths in the SVG: " + svg.split("<path").length);

        // a second run rewrites the files it names in its own folder (--force still accepted)
        CliRun again = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "--clusters", "4", "--method", "rtn",
                "--out", out.toString(), "--force");
        assertEquals(0, again.exit(), again.toString());
    }

    @Test
    void backendsListsTheProviders() {
        CliRun r = CliRun.run("backends");
        assertEquals(0, r.exit(), r.toString());
        for (String name : new String[] {"cpu", "kmeans", "sas", "prq", "rtn", "kivi"}) {
            assertTrue(r.out().matches("(?s).*\\s" + java.util.regex.Pattern.quote(name) + "\\s.*"), name + " in\n" + r.out());
        }
    }

    @Test
    void rerunsRewriteTheirOwnOutputFolder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("qvg-out");
        for (int run = 1; run <= 2; run++) {
            CliRun r = CliRun.run("eval", "--frames", "2", "--grid", "8x8", "--clusters", "16", "-m", "rtn,sas", "--out",
                    out.toString());
            org.junit.jupiter.api.Assertions.assertEquals(0, r.exit(), "eval run " + run + ": " + r);
            CliRun ro = CliRun.run("rollout", "--frames", "4", "--method", "rtn", "--quant-factor", "1", "--out",
                    out.toString());
            org.junit.jupiter.api.Assertions.assertEquals(0, ro.exit(), "rollout run " + run + ": " + ro);
        }
    }
}
