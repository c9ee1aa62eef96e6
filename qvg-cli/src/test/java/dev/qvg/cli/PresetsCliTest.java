package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Presets: listed with their sources, run as declared, and never silently changed by other options. */
class PresetsCliTest {

    @Test
    void presetsAreListedWithTheirSources() {
        CliRun r = CliRun.run("backends");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("preset    qvg-int2: prq(1 stage) int2 sym b64 bf16 K=256"), r.toString());
        assertTrue(r.out().contains("preset    qvg-pro: prq(4 stages) int2 sym b16 bf16 K=256"), r.toString());
        assertTrue(r.out().contains("preset    sglang-int4: sas int4 sym b64 bf16 K=128"), r.toString());
        assertTrue(r.out().contains("SGLang integration") && r.out().contains("--recent-chunks 1"), r.toString());
    }

    @Test
    void evalRunsEachPresetAsDeclared(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run("eval", "--input", in.toString(), "--tensor", "k", "--preset", "sglang-int2,qvg-pro",
                "--format", "json", "--no-plot", "--allow-no-compression");
        assertEquals(0, r.exit(), r.toString());
        String[] rows = r.out().strip().split("\n");
        assertEquals(2, rows.length, r.toString());
        assertTrue(rows[0].contains("\"method\":\"sas\"") && rows[0].contains("\"clusters\":128")
                && rows[0].contains("\"iters\":2") && rows[0].contains("\"block\":64"), rows[0]);
        assertTrue(rows[1].contains("\"label\":\"prq(4)\"") && rows[1].contains("\"block\":16"), rows[1]);
    }

    @Test
    void optionsThatWouldChangeAPresetConflictButBackendAndSeedDoNot(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        for (String[] extra : new String[][] {{"--bits", "4"}, {"--clusters", "64"}, {"-m", "rtn"}, {"--block", "32"}}) {
            CliRun r = CliRun.run("plan", "--model", "longcat-video", "--preset", "qvg-int2", extra[0], extra[1]);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().contains(extra[0].equals("-m") ? "--method" : extra[0])
                    && r.err().contains("conflicts with --preset qvg-int2"), r.toString());
        }
        CliRun ok = CliRun.run("plan", "--model", "longcat-video", "--preset", "qvg-int2", "--backend", "cpu");
        assertEquals(0, ok.exit(), ok.toString());
        Path q = dir.resolve("q.qvg.safetensors");
        ok = CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "--preset", "qvg-int2",
                "--seed", "3", "--allow-no-compression");
        assertEquals(0, ok.exit(), ok.toString());
        CliRun runOnly = CliRun.run("plan", "--model", "longcat-video", "--iters", "5");
        assertEquals(2, runOnly.exit(), "plan counts bytes: k-means run settings are not its options: " + runOnly);
        CliRun unknown = CliRun.run("plan", "--model", "longcat-video", "--preset", "qvg-int3");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("unknown preset 'qvg-int3'; available: qvg-int2, qvg-pro, sglang-int2,"
                + " sglang-int4"), unknown.toString());
    }
}
