package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One convention across commands: -i/--input for what is read, -o/--output for what is written. */
class ConventionsCliTest {

    @Test
    void shortInputAndOutputOptionsWorkInEveryCommand(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path q = dir.resolve("q.qvg.safetensors");
        assertEquals(0, CliRun.run("compress", "-i", in.toString(), "-o", q.toString(), "-m", "rtn").exit());
        Path back = dir.resolve("back.safetensors");
        assertEquals(0, CliRun.run("decompress", "-i", q.toString(), "-o", back.toString()).exit());
        assertTrue(Files.exists(back));
        assertEquals(0, CliRun.run("inspect", "-i", q.toString()).exit());
        Path plots = dir.resolve("plots");
        CliRun e = CliRun.run("eval", "-i", in.toString(), "-m", "rtn", "--bits", "2", "-o", plots.toString());
        assertEquals(0, e.exit(), e.toString());
        assertTrue(Files.exists(plots.resolve("rate-distortion.png")));
        CliRun e2 = CliRun.run("eval", "-i", in.toString(), "-m", "rtn", "--bits", "2", "--output", plots.toString());
        assertEquals(0, e2.exit(), "--output names eval's folder too (--out kept): " + e2);
        Path tuned = dir.resolve("t.json");
        CliRun t = CliRun.run("tune", "-i", in.toString(), "--target-rel-l2", "0.9", "--search-bits", "2",
                "--search-stages", "0", "-o", tuned.toString());
        assertEquals(0, t.exit(), t.toString());
        assertTrue(Files.exists(tuned));
    }
}
