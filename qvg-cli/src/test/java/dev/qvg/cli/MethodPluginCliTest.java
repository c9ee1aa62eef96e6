package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands work with a method they have never heard of ({@link GainRtnProvider}, registered
 * only in test resources): its knob is an option, plan counts it, compress stores it, decompress
 * and inspect read it back; and settings no chosen method reads are refused, not ignored.
 */
class MethodPluginCliTest {

    @Test
    void evalRunsAPluginWithItsKnobAndShowsItInHelp() {
        CliRun h = CliRun.run("eval", "--help");
        assertTrue(h.out().contains("--gain") && h.out().contains("[gain-rtn]"), h.toString());
        CliRun r = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "--method", "rtn,gain-rtn", "--gain", "2",
                "--bits", "4", "--format", "json", "--no-plot");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("\"method\":\"gain-rtn\""), r.toString());
        assertTrue(r.out().contains("\"params\":{\"gain\":\"2.0\"}"), "the knob is in the row's config: " + r);
    }

    @Test
    void planCompressDecompressAndInspectAPlugin(@TempDir Path dir) throws Exception {
        CliRun plan = CliRun.run("plan", "--model", "longcat-video", "--method", "gain-rtn");
        assertEquals(0, plan.exit(), plan.toString());
        // plan counts bytes: a knob that cannot change them (the gain) is not its option; a window is
        CliRun gain = CliRun.run("plan", "--model", "longcat-video", "--method", "gain-rtn", "--gain", "4");
        assertEquals(2, gain.exit(), gain.toString());
        CliRun help = CliRun.run("plan", "--help");
        assertTrue(help.out().contains("--recent-tokens") && help.out().contains("--kivi-group")
                && !help.out().contains("--warm-start") && !help.out().contains("--clip-percentile"), help.toString());
        Path in = TestData.writeSmall(dir);
        Path q = dir.resolve("q.qvg.safetensors");
        CliRun c = CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "--method", "gain-rtn",
                "--gain", "2", "--bits", "4");
        assertEquals(0, c.exit(), c.toString());
        CliRun i = CliRun.run("inspect", q.toString());
        assertEquals(0, i.exit(), i.toString());
        assertTrue(i.out().contains("gain-rtn"), i.toString());
        CliRun d = CliRun.run("decompress", "--input", q.toString(), "--output", dir.resolve("back.safetensors").toString());
        assertEquals(0, d.exit(), d.toString());
        Path tuned = dir.resolve("tuned.json");
        CliRun t = CliRun.run("tune", "--input", in.toString(), "--method", "gain-rtn", "--gain", "2", "--target-rel-l2",
                "0.9", "--search-bits", "2,4", "--output", tuned.toString());
        assertEquals(0, t.exit(), t.toString());
        assertTrue(java.nio.file.Files.readString(tuned).contains("\"method\" : \"gain-rtn\""), t.toString());
        CliRun c2 = CliRun.run("compress", "--input", in.toString(), "--output", dir.resolve("q2").toString(), "--config",
                tuned.toString());
        assertEquals(0, c2.exit(), "a tuned file of a plug-in method compresses: " + c2);
    }

    @Test
    void aSettingNoChosenMethodReadsIsRefusedNamingTheMethodsThatTakeIt(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "-m", "sas", "--stages", "3", "--no-plot");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--stages: not a setting of method sas; methods that take it: prq"), r.toString());
        r = CliRun.run("compress", "--input", in.toString(), "--output", dir.resolve("y").toString(), "-m", "rtn", "--kivi-group", "16");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--kivi-group: not a knob of method rtn; methods that take it: kivi"), r.toString());
        r = CliRun.run("plan", "--model", "longcat-video", "-m", "kivi", "--block", "32");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--block: not a setting of method kivi"), r.toString());
        r = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "-m", "gain-rtn", "--gain", "loud", "--no-plot");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--gain: must be a number, got 'loud'"), r.toString());
    }
}
