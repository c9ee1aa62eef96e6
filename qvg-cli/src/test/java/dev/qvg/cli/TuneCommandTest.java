package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.residual.tune.TunedConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qvg tune} through the command line (the search itself is qvg-residual's {@code Tuner}; here the wiring). */
class TuneCommandTest {

    @Test
    void tunesEachTensorAndWritesAConfigFileThatReadsBack(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path out = dir.resolve("tuned.json");
        CliRun r = CliRun.run("tune", "--input", in.toString(), "--target-snr-db", "20", "--search-clusters", "16,32",
                "--iters", "20", "--output", out.toString(), "-q");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("k: SNR >= 20.00 dB -> prq"), r.out());
        assertTrue(r.out().contains("v: SNR >= 20.00 dB -> prq"), r.out());
        Map<String, QuantizerConfig> read = TunedConfigFile.read(out);
        assertEquals(2, read.size());
        assertEquals(20, read.get("k").kmeans().maxIters());
        assertTrue(Files.readString(out).contains("\"met\" : true"));
    }

    @Test
    void anUnreachableTargetExitsOneAfterPrintingTheBestCandidate(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run("tune", "--input", in.toString(), "--target-rel-l2", "1e-9", "--search-bits", "2",
                "--search-stages", "0", "-q");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("TARGET NOT MET"), r.out());
        assertTrue(r.err().contains("no candidate met"), r.toString());
    }

    @Test
    void badUsage(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        assertEquals(2, CliRun.run("tune", "--input", in.toString()).exit(), "a target is required");
        assertEquals(2, CliRun.run("tune", "--input", in.toString(), "--target-snr-db", "20", "--target-rel-l2", "0.1")
                .exit(), "only one target");
        assertEquals(2, CliRun.run("tune", "--target-snr-db", "20").exit(), "--input is required");
        CliRun bits = CliRun.run("tune", "--input", in.toString(), "--target-snr-db", "20", "--search-bits", "5");
        assertEquals(2, bits.exit(), bits.toString());
        assertTrue(bits.err().contains("bits"), bits.toString());
        assertEquals(2, CliRun.run("tune", "--input", in.toString(), "--target-rel-l2", "2").exit());
    }
}
