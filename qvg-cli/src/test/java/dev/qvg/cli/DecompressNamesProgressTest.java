package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipeline;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.VideoKvGenerator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qvg decompress} writes each tensor under its entry's name, exactly as it was when
 * compressed ({@code layers.0.k}, not {@code layers_0_k}), and ticks its progress line once per
 * group of slices: drawn when asked ({@code --progress}; these runs' stderr is no terminal),
 * never with {@code -q}, and not by default.
 */
class DecompressNamesProgressTest {

    @TempDir
    Path dir;

    private Path quantized(Map<String, QuantizedKv> out) throws Exception {
        VideoKvGenerator.VideoKv kv = TestData.small();
        QuantizerConfig cfg = QuantizerConfig.builder().method("sas").bits(2).blockSize(64).clusters(16).maxIters(3).build();
        try (Pipeline p = Pipeline.open(cfg)) {
            out.put("model.layers.0.self_attn.k", p.quantizer().quantize(kv.keys(), KvRole.KEY));
            out.put("model.layers.0.self_attn.v", p.quantizer().quantize(kv.values(), KvRole.VALUE));
        }
        Path q = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(q, out, cfg, false);
        return q;
    }

    @Test
    void decompressWritesTheNamesTheTensorsHad() throws Exception {
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        Path q = quantized(entries);
        Path out = dir.resolve("restored.safetensors");
        CliRun r = CliRun.run("decompress", "-i", q.toString(), "--output", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("  model.layers.0.self_attn.k [1, 2, 128, 64]"), r.out());
        try (SafeTensorsReader back = SafeTensorsReader.open(out)) {
            assertEquals(List.copyOf(entries.keySet()), back.names());
            for (Map.Entry<String, QuantizedKv> e : entries.entrySet()) {
                assertArrayEquals(ReferenceDecoder.decode(e.getValue()).data(), back.kvTensor(e.getKey()).data());
            }
        }
    }

    @Test
    void progressTicksPerGroupWhenAskedAndNeverWhenQuiet() throws Exception {
        Path q = quantized(new LinkedHashMap<>());
        // 1 MiB groups: each entry ([1, 2, 128, 64]: 64 KiB of float32) is one group; 2 groups in all
        CliRun asked = CliRun.run("--progress", "decompress", "-i", q.toString(), "--output",
                dir.resolve("a.safetensors").toString(), "--group-mib", "1");
        assertEquals(0, asked.exit(), asked.toString());
        List<String> lines = asked.err().lines().toList();
        assertEquals(1, lines.size(), "a short job in a log: its last line only\n" + asked.err());
        assertTrue(lines.get(0).matches("decompress \\[#{20}\\] 100% done in 0:0\\d  model\\.layers\\.0\\.self_attn\\.v slices 0-1"),
                lines.get(0));

        CliRun byDefault = CliRun.run("decompress", "-i", q.toString(), "--output", dir.resolve("b.safetensors").toString());
        assertEquals(0, byDefault.exit(), byDefault.toString());
        assertEquals("", byDefault.err(), "stderr is not a terminal: no progress unless asked");
        CliRun quiet = CliRun.run("-q", "--progress", "decompress", "-i", q.toString(), "--output",
                dir.resolve("c.safetensors").toString());
        assertEquals("", quiet.err(), "--quiet wins");
    }
}
