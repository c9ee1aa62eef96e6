package dev.qvg.bench.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.testing.Claims;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The baseline ({@code scripts/faiss_numpy_layer.py}) does the work {@code qvg compress} does:
 * its block quantizer gives qvg's reference codes and scales bit for bit, and its output file is
 * a readable safetensors whose codes, scales, centroids and ids reconstruct the input. Needs
 * Debian's {@code /usr/bin/python3} with numpy (and FAISS for the whole compression); skipped,
 * saying so, where they are missing, and failed in CI, where {@code .ci/run} installs them.
 */
class FaissNumpyBaselineTest {

    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPT = Path.of("scripts", "faiss_numpy_layer.py");

    record Result(int exit, String output) {
    }

    static Result python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the script finished");
        return new Result(p.exitValue(), out);
    }

    /**
     * Continues when {@link #PYTHON} imports {@code modules}. The performance report's baseline
     * rests on this test, so where they are missing it skips saying so, and in CI (the {@code CI}
     * environment variable set; {@code .ci/run} installs them) it fails, naming what is missing
     * ({@link Claims}).
     */
    static void requireImports(String modules) {
        Claims.requireTool("a " + PYTHON + " that imports " + modules,
                "apt-get install python3-numpy python3-faiss libopenblas0-pthread: baseline not checked",
                PYTHON, "-c", "import " + modules);
    }

    @Test
    void itsBlockQuantizerGivesQvgsCodesAndScalesBitForBit(@TempDir Path dir) throws Exception {
        requireImports("numpy");
        int rows = 300, cols = 128;
        float[] x = new float[rows * cols];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.exp(4 * rnd.nextGaussian()));
        }
        // Edge cases: an all-zero block (scale clamps to 1e-10), values at exactly half the absmax (the
        // rounding tie, away from zero), negative ties, tiny values, a huge one.
        java.util.Arrays.fill(x, 0, 64, 0f);
        for (int i = 64; i < 128; i++) {
            x[i] = (i % 4 == 0) ? 8f : (i % 4 == 1) ? 4f : (i % 4 == 2) ? -4f : 1e-30f;
        }
        x[200] = 3e30f;
        ByteBuffer buf = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(x);
        Path in = dir.resolve("x.f32");
        Files.write(in, buf.array());
        Result r = python("quantize", "--input", in.toString(), "--rows", "" + rows, "--cols", "" + cols, "--block", "64",
                "--bits", "2", "--codes", dir.resolve("c.bin").toString(), "--scales", dir.resolve("s.bin").toString());
        assertEquals(0, r.exit(), r.output());

        PackedBlocks ref = BlockCodec.quantize(x, 0, rows, cols, BlockQuantConfig.publishedInt2());
        assertArrayEquals(ref.codes(), Files.readAllBytes(dir.resolve("c.bin")), "packed INT2 codes");
        short[] scales = new short[ref.scales().length];
        ByteBuffer.wrap(Files.readAllBytes(dir.resolve("s.bin"))).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(scales);
        assertArrayEquals(ref.scales(), scales, "bf16 scales");
    }

    @Test
    void itsOutputIsASafetensorsFileThatReconstructsTheInput(@TempDir Path dir) throws Exception {
        requireImports("faiss, numpy");
        // 2 frames of 8 x 16 = 256 tokens, 2 heads: K and V, 4 slices
        LayerInputSpec spec = new LayerInputSpec(1, 2, 8, 16, 2, 128, 9L);
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
        LayerInputFile.write(in, spec, false, new PrintStream(new ByteArrayOutputStream()));
        int k = 16;
        Result r = python("compress", "--input", in.toString(), "--output", out.toString(), "--clusters", "" + k,
                "--iters", "3", "--seed", "1");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("\"slices\": 4") && r.output().contains("\"kmeans\""), r.output());

        int s = spec.tokens(), d = 128;
        try (SafeTensorsReader in2 = SafeTensorsReader.open(in); SafeTensorsReader o = SafeTensorsReader.open(out)) {
            for (String name : List.of("k", "v")) {
                assertArrayEquals(new long[] {1, 2, s, d / 4}, o.info(name + ".codes").shape());
                assertArrayEquals(new long[] {1, 2, k, d}, o.info(name + ".centroids").shape());
                float[] x = in2.floats(name);
                byte[] codes = o.bytes(name + ".codes"), ids = o.bytes(name + ".ids");
                short[] scales = o.shorts(name + ".scales"), cents = o.shorts(name + ".centroids");
                double err = 0, norm = 0;
                for (int h = 0; h < 2; h++) {
                    for (int t = 0; t < s; t++) {
                        int row = h * s + t, id = ids[row] & 0xFF;
                        assertTrue(id < k, "id in range");
                        for (int b = 0; b < 2; b++) {
                            // the stored scale is the bf16 of the block's residual absmax (qmax = 1)
                            float absmax = 0;
                            for (int j = 0; j < 64; j++) {
                                int c = b * 64 + j;
                                absmax = Math.max(absmax, Math.abs(x[row * d + c] - Bf16.toFloat(cents[(h * k + id) * d + c])));
                            }
                            assertEquals(Bf16.fromFloat(Math.max(absmax, 1e-10f)), scales[row * 2 + b], "scale " + name
                                    + " head " + h + " token " + t + " block " + b);
                            for (int j = 0; j < 64; j++) {
                                int c = b * 64 + j;
                                int code = ((codes[row * 32 + c / 4] & 0xFF) >> (6 - 2 * (c % 4)) & 3) - 1;
                                float back = code * Bf16.toFloat(scales[row * 2 + b]) + Bf16.toFloat(cents[(h * k + id) * d + c]);
                                err += (back - x[row * d + c]) * (back - x[row * d + c]);
                                norm += x[row * d + c] * x[row * d + c];
                            }
                        }
                    }
                }
                double rel = Math.sqrt(err / norm);
                assertTrue(rel < 0.5, name + ": relative L2 of the reconstruction " + rel);
            }
        }
        Result again = python("compress", "--input", in.toString(), "--output", out.toString());
        assertEquals(2, again.exit());
        assertTrue(again.output().contains("--force"), again.output());
    }

    @Test
    void badInputGetsOneLineAndExitStatus2(@TempDir Path dir) throws Exception {
        requireImports("numpy");
        Result missing = python("compress", "--input", dir.resolve("nope.safetensors").toString(), "--output",
                dir.resolve("o").toString());
        assertEquals(2, missing.exit(), missing.output());
        assertTrue(missing.output().strip().endsWith("no such file") && missing.output().strip().lines().count() == 1,
                missing.output());
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        Result bad = python("iteration", "--input", junk.toString());
        assertEquals(2, bad.exit(), bad.output());
        assertTrue(bad.output().contains("too short"), bad.output());
    }
}
