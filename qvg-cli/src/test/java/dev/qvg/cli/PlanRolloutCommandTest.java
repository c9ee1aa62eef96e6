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
        long tokens = o.get("tokens_per_layer").asLong();
        assertEquals(tokens * 2 * 12 * 128 * 2, o.get("bf16_bytes_per_layer").asLong());
        assertEquals(30 * o.get("bf16_bytes_per_layer").asLong(), o.get("bf16_bytes_total").asLong(), "30 layers");
        assertEquals((double) o.get("bf16_bytes_total").asLong() / o.get("quantized_bytes_total").asLong(),
                o.get("compression_ratio").asDouble(), 1e-9);
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
    void anyModelCanBeDescribedByItsNumbersOrAFile(@TempDir Path dir) throws Exception {
        String[] numbers = {"--layers", "40", "--kv-heads", "40", "--head-dim", "128", "--tokens-per-frame", "1560",
                "--frames-per-chunk", "3"};
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("plan", "--frames", "21", "--format", "json"));
        args.addAll(java.util.List.of(numbers));
        CliRun r = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        JsonNode o = JSON.readTree(r.out());
        assertEquals(21L * 1560, o.get("tokens_per_layer").asLong());
        assertEquals(21L * 1560 * 2 * 40 * 128 * 2, o.get("bf16_bytes_per_layer").asLong());
        assertEquals(40 * o.get("bf16_bytes_per_layer").asLong(), o.get("bf16_bytes_total").asLong(), "40 layers");

        Path file = dir.resolve("wan14b.json");
        java.nio.file.Files.writeString(file, "{\"name\": \"wan-14b\", \"layers\": 40, \"kvHeads\": 40, \"headDim\": 128,"
                + " \"tokensPerLatentFrame\": 1560, \"framesPerChunk\": 3}");
        CliRun f = CliRun.run("plan", "--model-file", file.toString(), "--frames", "21", "--format", "json");
        assertEquals(0, f.exit(), f.toString());
        assertEquals(o.get("bf16_bytes_total").asLong(), JSON.readTree(f.out()).get("bf16_bytes_total").asLong(),
                "the file describes the same model as the flags");

        // numbers given override a built-in model's: self-forcing with twice its layers
        JsonNode base = JSON.readTree(CliRun.run("plan", "--model", "self-forcing", "--frames", "9", "--format", "json").out());
        JsonNode twice = JSON.readTree(CliRun.run("plan", "--model", "self-forcing", "--layers", "60", "--frames", "9",
                "--format", "json").out());
        assertEquals(2 * base.get("bf16_bytes_total").asLong(), twice.get("bf16_bytes_total").asLong());
    }

    @Test
    void describedModelsAndHugeLengthsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.run("plan", "--layers", "40", "--kv-heads", "40", "--seconds", "10");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--head-dim") && r.err().contains("--tokens-per-frame"), r.toString());
        r = CliRun.run("plan", "--layers", "4", "--kv-heads", "4", "--head-dim", "64", "--tokens-per-frame", "100",
                "--frames-per-chunk", "1");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--frames or --seconds"), r.toString());
        for (String[] huge : new String[][] {{"--seconds", "1e20"}, {"--seconds", "1e12"},
                {"--frames", "9223372036854775807"}}) {
            r = CliRun.run("plan", "--model", "longcat-video", huge[0], huge[1]);
            assertEquals(2, r.exit(), String.join(" ", huge) + ": " + r);
            assertTrue(r.err().contains("beyond what can be planned"), r.toString());
        }
        Path bad = dir.resolve("m.json");
        java.nio.file.Files.writeString(bad, "{\"layers\": 2, \"heads\": 3}");
        r = CliRun.run("plan", "--model-file", bad.toString(), "--frames", "3");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("unknown field 'heads'"), r.toString());
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
        double rtn = arms.get(0).get("mean_psnr_db").asDouble();
        double sas = arms.get(1).get("mean_psnr_db").asDouble();
        assertTrue(sas > rtn, "SAS rollout closer to BF16 than RTN at the same code bits: " + sas + " vs " + rtn);
        assertEquals(20, arms.get(0).get("chunk_psnr_db").size(), "40 frames, 2 a chunk");
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
        CliRun huge = CliRun.run("rollout", "--frames", "2147483647");
        assertEquals(2, huge.exit(), huge.toString());
        assertTrue(huge.err().contains("more than one rollout's cache can hold"), huge.toString());
    }
}
