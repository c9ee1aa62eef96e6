package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.tools.tune.TunedConfigFile;
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
    void compressAcceptsTheTunedFileTensorByTensor(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path cfg = dir.resolve("tuned.json");
        QuantizerConfig k = QuantizerConfig.builder().method("prq").stages(2).bits(2).clusters(16).maxIters(20).build();
        QuantizerConfig v = QuantizerConfig.builder().method("rtn").stages(0).bits(4).build();
        TunedConfigFile.writeConfigs(cfg, Map.of("k", k, "v", v));
        Path q = dir.resolve("out.qvg.safetensors");
        CliRun r = CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "--config", cfg.toString(),
                "-q");
        assertEquals(0, r.exit(), r.toString());
        var contents = dev.qvg.io.QuantizedKvFile.read(q);
        assertEquals("prq", contents.entries().get("k").method());
        assertEquals(2, contents.entries().get("k").stages().size());
        assertEquals(16, contents.entries().get("k").stages().get(0).clusters());
        assertEquals("rtn", contents.entries().get("v").method());
        assertEquals(4, contents.entries().get("v").blocks().config().bits());

        TunedConfigFile.writeConfigs(dir.resolve("k-only.json"), Map.of("k", k));
        CliRun missing = CliRun.run("compress", "--input", in.toString(), "--output", dir.resolve("o2.qvg.safetensors")
                .toString(), "--config", dir.resolve("k-only.json").toString(), "-q");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("no configuration for tensor 'v'"), missing.toString());
    }

    @Test
    void evalAddsATunedRowForEachTensorTheFileNames(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path cfg = dir.resolve("k-only.json");
        QuantizerConfig k = QuantizerConfig.builder().method("prq").stages(2).bits(2).clusters(16).maxIters(20).build();
        TunedConfigFile.writeConfigs(cfg, Map.of("k", k));
        CliRun r = CliRun.run("eval", "--input", in.toString(), "--method", "rtn", "--bits", "2", "--config",
                cfg.toString(), "--format", "json", "--no-plot", "-q");
        assertEquals(0, r.exit(), r.toString());
        var rows = r.out().lines().map(l -> {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(l);
            } catch (java.io.IOException e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertEquals(3, rows.size(), r.out()); // rtn for k and v, tuned for k only
        var tunedRows = rows.stream().filter(n -> n.get("label").asText().equals("tuned")).toList();
        assertEquals(1, tunedRows.size(), r.out());
        assertEquals("k", tunedRows.get(0).get("tensor").asText());
        assertEquals("prq", tunedRows.get(0).get("method").asText());
        assertEquals(2, tunedRows.get(0).get("stages").asInt());
        assertEquals(16, tunedRows.get(0).get("clusters").asInt());

        TunedConfigFile.writeConfigs(dir.resolve("other.json"), Map.of("q", k));
        CliRun none = CliRun.run("eval", "--input", in.toString(), "--method", "rtn", "--config",
                dir.resolve("other.json").toString(), "--no-plot", "-q");
        assertEquals(1, none.exit(), none.toString());
        assertTrue(none.err().contains("configures q but the data holds k, v"), none.toString());
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
