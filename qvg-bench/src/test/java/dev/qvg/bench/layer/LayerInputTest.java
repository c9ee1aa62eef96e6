package dev.qvg.bench.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.tensor.Bf16;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.VideoKvGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerInputTest {

    /** 2 frames of 4 x 8 tokens, 2 heads of 8: small enough to compare value by value. */
    static final LayerInputSpec SMALL = new LayerInputSpec(2, 2, 4, 8, 2, 8, 5L);

    @Test
    void theLongCatLayerHasTheOriginalBenchmarkShape() {
        LayerInputSpec s = LayerInputSpec.longCat(1, 0);
        assertArrayEquals(new long[] {1, 32, 29640, 128}, s.tensorShape());
        assertEquals(2L * 32 * 29640 * 128 * 2, s.dataBytes(), "486 MB: K and V of one layer");
        assertEquals(List.of("k", "v"), s.tensorNames());
        assertEquals(List.of("layer0.k", "layer0.v", "layer1.k", "layer1.v"), SMALL.tensorNames());
    }

    @Test
    void theFileHoldsEachLayersGeneratedTensorsInBf16(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("in.safetensors");
        LayerInputFile.write(f, SMALL, false, new PrintStream(new ByteArrayOutputStream()));
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            assertEquals(SMALL.tensorNames(), r.names());
            assertEquals(SMALL.describe(), r.metadata().get(LayerInputFile.SPEC_KEY));
            for (int layer = 0; layer < 2; layer++) {
                VideoKvGenerator.VideoKv kv = VideoKvGenerator.generate(SMALL.layerConfig(layer));
                assertArrayEquals(SMALL.tensorShape(), r.info(SMALL.tensorNames().get(2 * layer)).shape());
                assertArrayEquals(bf16(kv.keys().data()), r.floats(SMALL.tensorNames().get(2 * layer)), "K, layer " + layer);
                assertArrayEquals(bf16(kv.values().data()), r.floats(SMALL.tensorNames().get(2 * layer + 1)),
                        "V, layer " + layer);
            }
            assertFalse(java.util.Arrays.equals(r.floats("layer0.k"), r.floats("layer1.k")), "layers differ");
        }
        assertEquals(8 + LayerInputFile.header(SMALL).length + SMALL.dataBytes(), Files.size(f));
        assertTrue(LayerInputFile.matches(f, SMALL));
        assertFalse(LayerInputFile.matches(f, new LayerInputSpec(2, 2, 4, 8, 2, 8, 6L)), "another seed");
        assertFalse(LayerInputFile.matches(dir.resolve("none"), SMALL));
    }

    @Test
    void layerZeroOfAManyLayerFileIsTheOneLayerFile() {
        LayerInputSpec one = new LayerInputSpec(1, 2, 4, 8, 2, 8, 5L);
        assertEquals(one.layerConfig(0), SMALL.layerConfig(0));
    }

    @Test
    void theCommandLineReusesAMatchAndRefusesToOverwriteOtherwise(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub").resolve("in.safetensors");
        String[] args = {"--out", f.toString(), "--frames", "1", "--height", "4", "--width", "4", "--heads", "1",
                "--head-dim", "8", "--reuse"};
        assertEquals(0, LayerInput.run(args));
        long modified = Files.getLastModifiedTime(f).toMillis();
        Thread.sleep(20);
        assertEquals(0, LayerInput.run(args));
        assertEquals(modified, Files.getLastModifiedTime(f).toMillis(), "a matching file is kept");
        String[] noReuse = java.util.Arrays.copyOf(args, args.length - 1);
        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class, () -> LayerInput.run(noReuse));
        assertTrue(exists.getMessage().contains("--force"), exists.getMessage());
    }

    @Test
    void badSettingsAreNamed() {
        IllegalArgumentException layers = assertThrows(IllegalArgumentException.class,
                () -> new LayerInputSpec(0, 1, 1, 1, 1, 8, 0));
        assertTrue(layers.getMessage().startsWith("layers:"), layers.getMessage());
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
                () -> new LayerInputSpec(1, 1, 1, 1, 1, 7, 0));
        assertTrue(dim.getMessage().startsWith("headDim:"), dim.getMessage());
        IllegalArgumentException noOut = assertThrows(IllegalArgumentException.class, () -> LayerInput.run(new String[0]));
        assertTrue(noOut.getMessage().contains("--out"), noOut.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LayerInput.run(new String[] {"--bogus"}));
        assertTrue(unknown.getMessage().contains("--bogus"), unknown.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> LayerInput.run(new String[] {"--layers", "two"}));
        assertTrue(nan.getMessage().contains("--layers") && nan.getMessage().contains("two"), nan.getMessage());
    }

    private static float[] bf16(float[] x) {
        float[] out = x.clone();
        Bf16.roundInPlace(out);
        return out;
    }
}
