package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qvg plan} and {@code qvg rollout} through the command line (the numbers are qvg-models'; here the wiring). */
class PlanRolloutCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void planPublishedSelfForcingCacheAsJson() throws Exception {
        CliRun r = CliRun.run("plan", "--model", "Self-Forcing", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode o = JSON.readTree(r.out());
        // BF16 K and V of 12 kv heads x 128 at 2 bytes: 6144 bytes a token per layer (spec section 8:
        // 1535.76 MiB a layer for the published cache)
        long tokens = o.get("tokensPerLayer").asLong();
        assertEquals(tokens * 2 * 12 * 128 * 2, o.get("bf16BytesPerLayer").asLong());
        assertEquals(30 * o.get("bf16BytesPerLayer").asLong(), o.get("bf16BytesTotal").asLong(), "30 layers");
        assertEquals((double) o.get("bf16BytesTotal").asLong() / o.get("quantizedBytesTotal").asLong(),
                o.get("compressionRatio").asDouble(), 1e-9);
        assertEquals("prq", o.get("quantizer").get("method").asText());
        assertEquals(2, o.get("quantizer").get("bits").asInt());
    }

    @Test
    void planTableAndGpuFit() {
        CliRun r = CliRun.run("plan", "--model", "hy-worldplay", "--seconds", "60", "--gpu-memory-gib", "24");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("HY-WorldPlay"), r.out());
        assertTrue(r.out().contains("quantized fits"), r.out());
    }

    @Test
    void planBadUsage() {
        CliRun unknown = CliRun.run("plan", "--model", "sora");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("known models"), unknown.toString());
        assertEquals(2, CliRun.run("plan").exit(), "--model is required");
        assertEquals(2, CliRun.run("plan", "--model", "self-forcing", "--frames", "10", "--seconds", "3").exit());
    }

    @Test
    void rolloutPsnrCurveRtnWorstAndPlot(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.run("rollout", "--frames", "40", "--method", "rtn,sas", "--clusters", "32", "--quant-factor", "2",
                "--format", "json", "--out", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode o = JSON.readTree(r.out());
        JsonNode arms = o.get("rollouts");
        assertEquals(2, arms.size());
        assertEquals("rtn", arms.get(0).get("method").asText());
        assertEquals("sas", arms.get(1).get("method").asText());
        double rtn = arms.get(0).get("meanPsnrDb").asDouble();
        double sas = arms.get(1).get("meanPsnrDb").asDouble();
        assertTrue(sas > rtn, "SAS rollout closer to BF16 than RTN at the same code bits: " + sas + " vs " + rtn);
        assertEquals(20, arms.get(0).get("chunkPsnrDb").size(), "40 frames, 2 a chunk");
        byte[] png = Files.readAllBytes(dir.resolve("rollout-psnr.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertTrue(Files.readString(dir.resolve("rollout-psnr.svg")).contains("<svg"));
    }

    @Test
    void rolloutFramesAndGifAndSameBackendCompare(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.run("rollout", "--frames", "8", "--method", "rtn", "--quant-factor", "1", "--compare", "cpu",
                "--save-frames", "--gif", "--no-plot", "--out", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("inf (identical)"), "same backend, same video: " + r.out());
        assertTrue(Files.exists(dir.resolve("frames/bf16/frame-0007.png")));
        assertTrue(Files.exists(dir.resolve("frames/rtn/frame-0000.png")));
        byte[] gif = Files.readAllBytes(dir.resolve("rollout-rtn.gif"));
        assertEquals("GIF89a", new String(gif, 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void rolloutBadUsage() {
        assertEquals(2, CliRun.run("rollout", "--model", "longcat-video").exit());
        assertEquals(2, CliRun.run("rollout", "--frames", "0").exit());
    }
}
