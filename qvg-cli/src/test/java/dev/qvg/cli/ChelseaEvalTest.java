package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.testing.Claims;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code qvg eval} on the shared externally produced file ({@code chelsea-kv.safetensors}, BF16,
 * written by Python's safetensors) against what a faithful port of the original gives
 * ({@code chelsea-expected.jsonl}). The data lives beside the checkout ({@code ../shared/data}, or
 * {@code -Dqvg.data=DIR}); skipped, saying so, where it is absent, and a failure in CI ({@link Claims}).
 */
class ChelseaEvalTest {

    private static final Path DATA = Claims.sharedData();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void rtnMatchesTheReferenceAndSasIsWithinTheSeedSpread() throws Exception {
        Path file = DATA.resolve("chelsea-kv.safetensors");
        Path expected = DATA.resolve("chelsea-expected.jsonl");
        Claims.requireFile(file, "the real-photo KV data");
        Claims.requireFile(expected, "the original implementation's figures");
        Map<String, JsonNode> want = new HashMap<>();
        for (String line : Files.readAllLines(expected)) {
            JsonNode o = JSON.readTree(line);
            if (!o.get("asymmetric").asBoolean()) {
                want.put(o.get("tensor").asText() + " " + o.get("method").asText() + " " + o.get("bits").asInt() + " "
                        + o.get("stages").asInt(), o);
            }
        }
        CliRun r = CliRun.run("eval", "--input", file.toString(), "--method", "rtn,sas", "--bits", "2,4", "--format",
                "json", "--no-plot");
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(8, lines.size(), r.out());
        int compared = 0;
        for (String line : lines) {
            JsonNode got = JSON.readTree(line);
            String key = got.get("tensor").asText() + " " + got.get("method").asText() + " " + got.get("bits").asInt() + " "
                    + got.get("stages").asInt();
            JsonNode w = want.get(key);
            if (w == null) {
                continue;
            }
            compared++;
            assertEquals(w.get("bits_per_value").asDouble(), got.get("bits_per_value").asDouble(), 0.0, key);
            double rel = got.get("rel_l2").asDouble(), ref = w.get("rel_l2").asDouble();
            if (got.get("method").asText().equals("rtn")) {
                // no randomness, yet not bit-identical: measured relative differences 2.6e-6 (k int2),
                // 2.9e-5 (k int4), 6.3e-7 (v int2), 2.1e-4 (v int4); int4's larger gaps suggest a few
                // codes round differently (ties or scale rounding), not the float32 sums alone
                assertEquals(ref, rel, 5e-4 * ref, key + " rel L2"); // measured: at most 2.1e-4
                assertEquals(w.get("cosine_mean").asDouble(), got.get("cosine_mean").asDouble(), 1e-4, key + " cosine");
            } else {
                // k-means draws its own random centroids (the original's seed spread is up to 2%); with the
                // published settings and seed 0 every row lands within 0.6%: 1.5% fails a wrong init or stop
                assertEquals(ref, rel, 0.015 * ref, key + " rel L2");
            }
        }
        assertTrue(compared >= 6, "rows compared with the reference: " + compared);
    }
}
