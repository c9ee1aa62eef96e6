package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate settings for keys and values (as KIVI and the original have): --k-bits, --v-clusters, ... */
class KvSplitCliTest {

    private static List<String> rows(CliRun r) {
        return Arrays.stream(r.out().strip().split("\n")).filter(l -> l.startsWith("{")).toList();
    }

    @Test
    void evalRunsKeysAndValuesWithTheirOwnSettingsAndNoRepeatedRow(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run("eval", "--input", in.toString(), "-m", "rtn,sas", "--clusters", "16", "--k-bits", "4", "--v-clusters", "8",
                "--format", "json", "--no-plot");
        assertEquals(0, r.exit(), r.toString());
        List<String> k = rows(r).stream().filter(l -> l.contains("\"tensor\":\"k\"")).toList();
        List<String> v = rows(r).stream().filter(l -> l.contains("\"tensor\":\"v\"")).toList();
        assertEquals(2, k.size(), "keys: rtn and sas once each at 4 bits, not again for --bits 4: " + k);
        assertTrue(k.stream().allMatch(l -> l.contains("\"bits\":4")), k.toString());
        assertEquals(4, v.size(), "values: rtn and sas at 2 and 4 bits: " + v);
        assertTrue(v.stream().filter(l -> l.contains("\"method\":\"sas\"")).allMatch(l -> l.contains("\"clusters\":8")),
                v.toString());
        assertTrue(k.stream().filter(l -> l.contains("\"method\":\"sas\"")).allMatch(l -> l.contains("\"clusters\":16")),
                k.toString());
    }

    @Test
    void compressAndPlanUseEachRolesSettings(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        Path q = dir.resolve("q.qvg.safetensors");
        CliRun c = CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "-m", "rtn", "--k-bits",
                "4", "--v-bits", "2");
        assertEquals(0, c.exit(), c.toString());
        CliRun i = CliRun.run("inspect", "--input", q.toString(), "--format", "json");
        assertEquals(0, i.exit(), i.toString());
        assertTrue(i.out().contains("\"bits\":4") && i.out().contains("\"bits\":2"), i.toString());

        CliRun same = CliRun.run("plan", "--model", "longcat-video", "--bits", "2", "--format", "json");
        CliRun split = CliRun.run("plan", "--model", "longcat-video", "--bits", "2", "--k-bits", "4", "--format", "json");
        assertEquals(0, same.exit(), same.toString());
        assertEquals(0, split.exit(), split.toString());
        assertNotEquals(same.out(), split.out(), "4-bit keys must cost more");
    }

    @Test
    void recentTokensIsOneOptionForEveryMethodAndKivisOldNameStillWorks(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir); // 128 tokens
        CliRun r = CliRun.run("eval", "--input", in.toString(), "--tensor", "k", "-m", "rtn,kivi", "--bits", "2",
                "--recent-tokens", "64", "--format", "json", "--no-plot");
        assertEquals(0, r.exit(), r.toString());
        List<String> rows = rows(r);
        assertTrue(rows.get(0).contains("\"params\":{\"recent_tokens\":\"64\"}"), rows.get(0));
        assertTrue(rows.get(1).contains("\"params\":{\"kivi_residual_tokens\":\"64\"}"), rows.get(1));
        // rtn: 64 of 128 tokens at 2.25 bits, 64 at 16
        assertTrue(rows.get(0).contains("\"bits_per_value\":9.125"), rows.get(0));
        CliRun old = CliRun.run("eval", "--input", in.toString(), "--tensor", "k", "-m", "kivi", "--bits", "2",
                "--kivi-residual", "64", "--format", "json", "--no-plot");
        assertEquals(0, old.exit(), old.toString());
        assertEquals(rows.get(1).replaceAll("\"[a-z_]*seconds\":[0-9.E-]+", ""),
                rows(old).get(0).replaceAll("\"[a-z_]*seconds\":[0-9.E-]+", ""));
    }

    @Test
    void commandsWithOneConfigurationForBothRefuseSplitSettings() {
        CliRun r = CliRun.run("rollout", "--frames", "8", "--k-bits", "4");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("rollout runs one configuration for keys and values"), r.toString());
        r = CliRun.run("eval", "--frames", "1", "--grid", "4x4", "-m", "rtn", "--k-stages", "2", "--no-plot");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--k-stages: not a setting of method rtn"), r.toString());
    }
}
