package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings that cannot compress are refused before any work (exit 2, one line naming the fix and
 * the override); misread layouts and out-of-range FP8 data are warned about; a tuned file and
 * options that would also set the configuration conflict.
 */
class SettingGuardsTest {

    @Test
    void asManyClustersAsTokensIsRefusedUnlessOverridden(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir); // 128 tokens per slice
        CliRun r = CliRun.run("eval", "--input", in.toString(), "-m", "sas", "--clusters", "128", "--no-plot");
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("--clusters 128: not fewer than the 128 tokens of each (batch, head) slice of 'k'")
                && r.err().contains("use at most 16") && r.err().contains("--allow-no-compression"), r.toString());
        Path out = dir.resolve("q.qvg.safetensors");
        r = CliRun.run("compress", "--input", in.toString(), "--output", out.toString(), "-m", "sas", "--clusters", "200");
        assertEquals(2, r.exit(), r.toString());
        assertFalse(Files.exists(out), "nothing written");
        r = CliRun.run("eval", "--input", in.toString(), "-m", "sas", "--clusters", "128", "--iters", "2",
                "--allow-no-compression", "--no-plot");
        assertEquals(0, r.exit(), r.toString());
    }

    @Test
    void sixteenOrMoreBitsPerValueIsRefused(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        // 8 code bits + 4 stages of 100 bf16 centroids over 128 tokens of 64: about 33 bits per value
        CliRun r = CliRun.run("eval", "--input", in.toString(), "-m", "prq", "--stages", "4", "--clusters", "100",
                "--bits", "8", "--no-plot");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("prq(4) on 'k'") && r.err().contains("bits per value, no fewer than BF16's 16"),
                r.toString());
    }

    @Test
    void fewerTokensThanHeadsAndFp8OutOfRangeAreWarnedAbout(@TempDir Path dir) throws Exception {
        float[] big = new float[1 * 8 * 4 * 64];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) (2e4 * Math.sin(i * 0.37));
        }
        Path in = TestData.write(dir.resolve("odd.safetensors"), "k", KvTensor.wrap(new KvShape(1, 8, 4, 64), big));
        CliRun r = CliRun.run("eval", "--input", in.toString(), "-m", "rtn", "--bits", "2", "--scale", "fp8", "--no-plot");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("warning: 'k' reads as 8 heads of 4 tokens each") && r.err().contains("--layout bshd"),
                r.toString());
        assertTrue(r.err().contains("saturate above 448") && r.err().contains("use --scale bf16"), r.toString());
        r = CliRun.run("eval", "--input", in.toString(), "-m", "rtn", "--bits", "2", "--no-plot");
        assertFalse(r.err().contains("saturate"), "bf16 scales: no FP8 warning: " + r);
    }

    @Test
    void aTunedFileAndAnOptionThatAlsoSetsTheConfigConflict(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path tuned = dir.resolve("tuned.json");
        CliRun t = CliRun.run("tune", "--input", in.toString(), "--target-rel-l2", "0.9", "--search-bits", "2",
                "--search-stages", "0", "--output", tuned.toString());
        assertEquals(0, t.exit(), t.toString());
        CliRun r = CliRun.run("compress", "--input", in.toString(), "--output", dir.resolve("q").toString(), "--config",
                tuned.toString(), "--bits", "2");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--bits: conflicts with --config"), r.toString());
        r = CliRun.run("compress", "--input", in.toString(), "--output", dir.resolve("q").toString(), "--config",
                tuned.toString(), "--kivi-group", "16");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--kivi-group: conflicts with --config"), r.toString());
        r = CliRun.run("compress", "--input", in.toString(), "--output", dir.resolve("q").toString(), "--config",
                tuned.toString());
        assertEquals(0, r.exit(), r.toString());
    }
}
