package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileInspectorTest {

    @TempDir
    Path dir;

    @Test
    void describesPlainQuantizedAndNpyFiles() throws Exception {
        String plain = FileInspector.describe(PythonFixturesTest.fixture("st-python.safetensors"));
        assertTrue(plain.contains("tensor v_bf16: BF16 [6, 4], 48 bytes"), plain);
        assertTrue(plain.contains("metadata producer = safetensors 0.8.0"), plain);

        String npy = FileInspector.describe(PythonFixturesTest.fixture("np-f16.npy"));
        assertTrue(npy.contains("array: F16 [1, 2, 3, 4]"), npy);

        // 1 x 1 x 32 x 16 at 2 bits, block 16, one 4-cluster stage, no tail:
        // codes 512 values x 2 = 1024 bits; scales 32 blocks x 16 = 512; ids 32 x 8 = 256;
        // centroids 4 x 16 x 16 = 1024; total 2816 bits over 512 values = 5.5 bits/value.
        QuantizedKv q = QuantizedKvFileTest.sample(new KvShape(1, 1, 32, 16),
                BlockQuantConfig.publishedInt2().withBlockSize(16), Orientation.TOKEN_MAJOR, 1, 4, 0, 1);
        Path p = dir.resolve("q.qvg.safetensors");
        QuantizedKvFile.write(p, Map.of("k", q), QuantizerConfig.publishedInt2(), false);
        String d = FileInspector.describe(p);
        assertTrue(d.contains("qvg quantized cache"), d);
        assertTrue(d.contains("checksums verified"), d);
        assertTrue(d.contains("5.5000 bits/value"), d);
        assertTrue(d.contains("codes 1024, scales 512, zeros 0, ids 256, centroids 1024, full precision 0; total 2816 bits"), d);
        // the label is the method provider's (here qvg-io's names-only test provider: the default label)
        assertTrue(d.contains("config: prq int2 sym b64 bf16 K=256"), d);
    }
}
