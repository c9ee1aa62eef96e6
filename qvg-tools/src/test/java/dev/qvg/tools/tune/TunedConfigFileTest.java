package dev.qvg.tools.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuned-config file: qvg's JSON schema (lowercase enum values as the command line takes them), old files still read. */
class TunedConfigFileTest {

    @Test
    void enumValuesAreWrittenAsTheCommandLineSpellsThemAndReadBack(@TempDir Path dir) throws Exception {
        QuantizerConfig c = QuantizerConfig.builder().method("prq").stages(2).scalePrecision(ScalePrecision.FP8_E4M3)
                .init(KMeansInit.KMEANS_PLUS_PLUS).param("warmStart", "true").build();
        Path f = dir.resolve("tuned.json");
        TunedConfigFile.writeConfigs(f, Map.of("layers.0.k", c));
        String text = Files.readString(f);
        assertTrue(text.contains("\"schema_version\" : 1"), text);
        assertTrue(text.contains("\"scale_precision\" : \"fp8\"") && text.contains("\"init\" : \"kmeans++\""), text);
        assertEquals(Map.of("layers.0.k", c), TunedConfigFile.read(f));
    }

    @Test
    void filesWrittenBeforeWithConstantNamesStillRead(@TempDir Path dir) throws Exception {
        QuantizerConfig c = QuantizerConfig.builder().method("sas").scalePrecision(ScalePrecision.BF16).build();
        Path f = dir.resolve("old.json");
        TunedConfigFile.writeConfigs(f, Map.of("k", c));
        String old = Files.readString(f).replace("\"bf16\"", "\"BF16\"").replace("\"random\"", "\"RANDOM\"")
                .replace("  \"schema_version\" : 1,\n", "");
        Files.writeString(f, old);
        assertTrue(old.contains("\"BF16\"") && old.contains("\"RANDOM\""), old);
        assertEquals(c, TunedConfigFile.read(f).get("k"));
    }
}
