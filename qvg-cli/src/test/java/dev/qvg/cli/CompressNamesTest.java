package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.io.DType;
import dev.qvg.io.QuantizedKvStreamReader;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.SafeTensorsWriter;
import dev.qvg.io.VideoKvGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compress keeps the tensors' names exactly, decompress gives them back; a name that cannot be stored is refused. */
class CompressNamesTest {

    @TempDir
    Path dir;

    @Test
    void namesSurviveCompressAndDecompress() throws Exception {
        VideoKvGenerator.VideoKv kv = TestData.small();
        Path in = dir.resolve("kv.safetensors");
        new SafeTensorsWriter().addKv("model.layers.0.self_attn.k", kv.keys(), DType.F32)
                .addKv("model.layers.0.self_attn.v", kv.values(), DType.F32).write(in, false);
        Path q = dir.resolve("kv.qvg.safetensors");
        CliRun c = CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "--clusters", "16", "--iters", "3");
        assertEquals(0, c.exit(), c.toString());
        try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(q)) {
            assertEquals(List.of("model.layers.0.self_attn.k", "model.layers.0.self_attn.v"), r.entries());
            assertEquals("model_layers_0_self_attn_k", r.entry("model.layers.0.self_attn.k").key());
        }
        Path out = dir.resolve("back.safetensors");
        assertEquals(0, CliRun.run("decompress", "-i", q.toString(), "--output", out.toString()).exit());
        try (SafeTensorsReader back = SafeTensorsReader.open(out)) {
            assertEquals(List.of("model.layers.0.self_attn.k", "model.layers.0.self_attn.v"), back.names());
        }
    }

    @Test
    void aNameThatCannotBeStoredIsRefusedBeforeAnyWork() throws Exception {
        Path in = dir.resolve("bad.safetensors");
        new SafeTensorsWriter().addKv("k\nforged", TestData.small().keys(), DType.F32).write(in, false);
        Path q = dir.resolve("never.qvg.safetensors");
        CliRun c = CliRun.run("compress", "--input", in.toString(), "--output", q.toString());
        assertEquals(1, c.exit(), c.toString());
        assertEquals(1, c.errLines(), c.toString());
        assertTrue(c.err().contains("tensor \"k\\nforged\" cannot be stored: it holds U+000A"), c.toString());
        assertTrue(Files.notExists(q));
    }
}
