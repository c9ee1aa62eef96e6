package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipeline;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.io.DType;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsWriter;
import dev.qvg.io.VideoKvGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qvg inspect}: {@code -i/--input} beside the positional file, and {@code --format json},
 * one versioned object with snake_case keys and lowercase enum values whose figures are the
 * file's (names as they were, bit budgets as Java counts them).
 */
class InspectCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern ENUM_CAPITALS = Pattern.compile("[A-Z][A-Z0-9_]*");
    /** Maps whose keys are the user's or a plug-in's strings, not field names. */
    private static final Set<String> USER_MAPS = Set.of("metadata", "info", "params");

    @TempDir
    Path dir;

    /** The small test K/V, quantized by prq int2 (2 stages, 16 clusters), under names that are not keys. */
    private Path quantized(Map<String, QuantizedKv> out) throws Exception {
        VideoKvGenerator.VideoKv kv = TestData.small();
        QuantizerConfig cfg = QuantizerConfig.builder().method("prq").stages(2).bits(2).blockSize(64).clusters(16)
                .maxIters(3).seed(5).build();
        try (Pipeline p = Pipeline.open(cfg)) {
            out.put("layers.0.k", p.quantizer().quantize(kv.keys(), KvRole.KEY));
            out.put("layers.0.v", p.quantizer().quantize(kv.values(), KvRole.VALUE));
        }
        Path q = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(q, out, cfg, false);
        return q;
    }

    /**
     * Every field name outside user maps is snake_case, and no value there is an enum name in
     * capitals ({@code KEY}, {@code BF16}, {@code TOKEN_MAJOR}, {@code RANDOM}).
     */
    private static void assertSnakeCase(JsonNode n, String path) {
        if (n.isTextual()) {
            assertFalse(ENUM_CAPITALS.matcher(n.asText()).matches(), path + " = " + n.asText() + " is not lowercase");
        }
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                assertTrue(SNAKE.matcher(f.getKey()).matches(), path + "." + f.getKey() + " is not snake_case");
                if (!USER_MAPS.contains(f.getKey())) {
                    assertSnakeCase(f.getValue(), path + "." + f.getKey());
                }
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                assertSnakeCase(n.get(i), path + "[" + i + "]");
            }
        }
    }

    private static void assertBudget(BitBudget b, JsonNode o) {
        assertEquals(b.bitsPerValue(), o.get("bits_per_value").asDouble(), 0.0);
        assertEquals(b.compressionRatio(), o.get("compression_ratio").asDouble(), 0.0);
        JsonNode bb = o.get("bit_budget");
        assertEquals(b.values(), bb.get("values").asLong());
        assertEquals(b.codeBits(), bb.get("code_bits").asLong());
        assertEquals(b.scaleBits(), bb.get("scale_bits").asLong());
        assertEquals(b.zeroBits(), bb.get("zero_bits").asLong());
        assertEquals(b.idBits(), bb.get("id_bits").asLong());
        assertEquals(b.centroidBits(), bb.get("centroid_bits").asLong());
        assertEquals(b.fullPrecisionBits(), bb.get("full_precision_bits").asLong());
        assertEquals(b.totalBits(), bb.get("total_bits").asLong());
        assertEquals(b.totalBytes(), bb.get("total_bytes").asLong());
    }

    @Test
    void inputOptionAndPositionalDescribeTheSameFile() throws Exception {
        Path q = quantized(new LinkedHashMap<>());
        CliRun positional = CliRun.run("inspect", q.toString());
        CliRun option = CliRun.run("inspect", "-i", q.toString());
        CliRun longOption = CliRun.run("inspect", "--input", q.toString());
        CliRun both = CliRun.run("inspect", "-i", q.toString(), q.toString());
        for (CliRun r : List.of(positional, option, longOption, both)) {
            assertEquals(0, r.exit(), r.toString());
            assertEquals(positional.out(), r.out());
        }
        assertTrue(positional.out().contains("entry layers.0.k (key layers_0_k): [1, 2, 128, 64] key, method prq"),
                positional.out());
        assertTrue(positional.out().contains("entry layers.0.v (key layers_0_v): [1, 2, 128, 64] value"), positional.out());

        CliRun two = CliRun.run("inspect", "-i", q.toString(), dir.resolve("other").toString());
        assertEquals(2, two.exit(), two.toString());
        assertEquals(1, two.errLines(), two.toString());
        assertTrue(two.err().contains("two files given"), two.toString());
        CliRun none = CliRun.run("inspect");
        assertEquals(2, none.exit(), none.toString());
        assertEquals("qvg inspect: Missing required option: '--input=FILE' (see 'qvg inspect --help')", none.err().strip());
        CliRun yaml = CliRun.run("inspect", "-i", q.toString(), "--format", "yaml");
        assertEquals(2, yaml.exit(), yaml.toString());
        assertEquals("qvg inspect: --format: unknown value 'yaml', expected text or json (see 'qvg inspect --help')",
                yaml.err().strip());
        CliRun help = CliRun.run("inspect", "--help");
        assertTrue(help.out().contains("-i, --input=FILE") && help.out().contains("--format=text|json"), help.out());
    }

    @Test
    void jsonOfAQuantizedCacheIsVersionedSnakeCaseLowercaseAndExact() throws Exception {
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        Path q = quantized(entries);
        CliRun r = CliRun.run("inspect", "-i", q.toString(), "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err());
        assertEquals(1, r.out().lines().count(), "one object on one line");
        JsonNode o = JSON.readTree(r.out());
        assertSnakeCase(o, "");
        assertEquals(1, o.get("schema_version").asInt());
        assertEquals("inspect", o.get("command").asText());
        assertEquals("qvg_quantized_cache", o.get("format").asText());
        assertEquals(Files.size(q), o.get("bytes").asLong());
        assertEquals(1, o.get("format_version").asInt());
        assertTrue(o.get("checksums_verified").asBoolean());

        JsonNode cfg = o.get("config");
        assertEquals("prq", cfg.get("method").asText());
        assertEquals(2, cfg.get("stages").asInt());
        assertEquals(16, cfg.get("clusters").asInt());
        assertEquals("bf16", cfg.get("scale_precision").asText());
        assertEquals("random", cfg.get("init").asText());
        assertTrue(cfg.get("params").isObject());

        JsonNode es = o.get("entries");
        assertEquals(2, es.size());
        BitBudget total = null;
        int i = 0;
        for (Map.Entry<String, QuantizedKv> e : entries.entrySet()) {
            JsonNode j = es.get(i++);
            QuantizedKv qk = e.getValue();
            assertEquals(e.getKey(), j.get("name").asText());
            assertEquals(e.getKey().replace('.', '_'), j.get("key").asText());
            assertEquals("[1,2,128,64]", j.get("shape").toString());
            assertEquals(qk.role() == KvRole.KEY ? "k" : "v", j.get("role").asText());
            assertEquals("prq", j.get("method").asText());
            assertEquals("token_major", j.get("orientation").asText());
            assertEquals(qk.quantizedTokens(), j.get("quantized_tokens").asInt());
            assertEquals(128 - qk.quantizedTokens(), j.get("tail_tokens").asInt());
            JsonNode blocks = j.get("blocks");
            assertEquals(2, blocks.get("bits").asInt());
            assertEquals(64, blocks.get("block_size").asInt());
            assertTrue(blocks.get("symmetric").asBoolean());
            assertEquals("bf16", blocks.get("scale_precision").asText());
            assertEquals(2, j.get("stages").size());
            for (int s = 0; s < 2; s++) {
                JsonNode st = j.get("stages").get(s);
                assertEquals(16, st.get("clusters").asInt());
                assertEquals(8, st.get("id_bits").asInt());
                int[] iters = qk.stages().get(s).iterations();
                assertEquals(iters.length, st.get("kmeans_iterations").size());
                for (int k = 0; k < iters.length; k++) {
                    assertEquals(iters[k], st.get("kmeans_iterations").get(k).asInt());
                }
            }
            assertBudget(qk.budget(), j);
            total = total == null ? qk.budget() : total.plus(qk.budget());
        }
        assertBudget(total, o.get("total"));
    }

    @Test
    void jsonOfPlainSafetensorsAndNpyFiles() throws Exception {
        Path st = dir.resolve("plain.safetensors");
        new SafeTensorsWriter().metadata("Producer", "Test \"quoted\"")
                .addFloats("layers.0.k", DType.BF16, new long[] {1, 2, 3, 4}, new float[24])
                .addFloats("v", DType.F32, new long[] {2, 3}, new float[6]).write(st, false);
        JsonNode o = JSON.readTree(CliRun.run("inspect", "--input", st.toString(), "--format", "json").out());
        assertEquals(1, o.get("schema_version").asInt());
        assertEquals("safetensors", o.get("format").asText());
        assertEquals("{\"name\":\"layers.0.k\",\"dtype\":\"bf16\",\"shape\":[1,2,3,4],\"bytes\":48}",
                o.get("tensors").get(0).toString());
        assertEquals("{\"name\":\"v\",\"dtype\":\"f32\",\"shape\":[2,3],\"bytes\":24}", o.get("tensors").get(1).toString());
        assertEquals("Test \"quoted\"", o.get("metadata").get("Producer").asText(), "user maps are copied as they are");

        Path npy = dir.resolve("a.npy");
        Npy.write(npy, new long[] {2, 5}, new float[10], DType.F16, false);
        CliRun n = CliRun.run("inspect", "-i", npy.toString(), "--format", "JSON");
        assertEquals(0, n.exit(), n.toString());
        JsonNode a = JSON.readTree(n.out());
        assertEquals("npy", a.get("format").asText());
        assertEquals("f16", a.get("dtype").asText());
        assertEquals("[2,5]", a.get("shape").toString());
        assertEquals(10, a.get("values").asLong());
    }

    @Test
    void aDamagedFileIsOneLineOnStderrAndNoJson() throws Exception {
        Path q = quantized(new LinkedHashMap<>());
        byte[] b = Files.readAllBytes(q);
        b[b.length - 1] ^= 1;
        Files.write(q, b);
        CliRun r = CliRun.run("inspect", "-i", q.toString(), "--format", "json");
        assertEquals(1, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("checksum"), r.toString());
    }

    @Test
    void hostileNamesInAPlainFileArePrintedEscapedOnOneLine() throws Exception {
        Path st = dir.resolve("hostile.safetensors");
        new SafeTensorsWriter().metadata("note", "line1\nline2\u001b[31m")
                .addFloats("k\r\u202Eevil", DType.F32, new long[] {2}, new float[2]).write(st, false);
        CliRun r = CliRun.run("inspect", st.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("  \"k\\r\\u202Eevil\""), r.out());
        assertTrue(r.out().contains("  note = \"line1\\nline2\\u001B[31m\""), r.out());
        assertFalse(r.out().contains("\r") || r.out().contains("\u001b") || r.out().contains("\u202E"), r.out());
    }

    @Test
    void theTextListsOnlyTheSettingsTheMethodReads() {
        var rtn = dev.qvg.api.config.QuantizerConfig.builder().method("rtn").stages(0).build();
        String r = InspectCommand.settings(rtn);
        assertTrue(r.startsWith("method rtn, backend ") && r.contains("bits 2, block 64, symmetric, scales bf16"), r);
        assertTrue(!r.contains("clusters") && !r.contains("iters") && !r.contains("stages"), r);
        var prq = dev.qvg.api.config.QuantizerConfig.builder().method("prq").stages(2)
                .param("recent_tokens", "16").build();
        String p = InspectCommand.settings(prq);
        assertTrue(p.contains("stages 2") && p.contains("clusters 256, iters 100") && p.contains("init random")
                && p.endsWith("recent_tokens 16"), p);
    }
}
