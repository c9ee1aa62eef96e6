package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.testing.Claims;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our files as Python sees them: {@code python/qvg_read.py} (numpy only) verifies and decodes
 * quantized caches bit-identically to {@link ReferenceDecoder}, and, where the safetensors
 * library is installed too (pip; Debian has no package), that library loads what we write.
 * The Python is {@code -Dqvg.python=PATH}, else Debian's {@code /usr/bin/python3} (another
 * {@code python3} earlier on the PATH may lack numpy), else {@code python3}. The README's claim
 * rests on this test: without numpy it skips saying so, and fails in CI ({@link Claims};
 * {@code .ci/run} installs python3-numpy).
 */
class PythonInteropTest {

    /** {@link Claims#python()}. */
    private static final String PYTHON = Claims.python();

    @TempDir
    Path dir;

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // leave no __pycache__ in the source tree
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + " from " + cmd + ":\n" + out);
        }
        return out;
    }

    /** Whether {@code PYTHON} imports {@code modules}; the output of the failed import otherwise. */
    private static String missing(String modules) {
        try {
            run(List.of(PYTHON, "-c", "import " + modules));
            return null;
        } catch (IOException | InterruptedException e) {
            return e.getMessage().lines().reduce((a, b) -> b).orElse(e.toString());
        }
    }

    @Test
    void pythonLoadsOurFilesAndDecodesQuantizedCachesBitIdentically() throws Exception {
        String noNumpy = missing("numpy");
        Claims.require(noNumpy == null, "a Python with numpy at '" + PYTHON + "' (" + noNumpy + ")",
                "apt-get install python3-numpy, or -Dqvg.python=PATH");
        Path plain = dir.resolve("plain.safetensors");
        new SafeTensorsWriter().metadata("who", "java")
                .addFloats("a", DType.F32, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f})
                .addFloats("b", DType.F16, new long[] {3}, new float[] {0.5f, -2f, 65504f}).write(plain, false);
        String out = run(List.of(PYTHON, "-c", "import sys\nsys.path.insert(0, 'python')\nimport qvg_read\n"
                + "h, start = qvg_read.read_header('" + plain + "'); d = qvg_read.load_tensors('" + plain + "', h, start)\n"
                + "print(d['a'].tolist(), d['b'].tolist(), h['__metadata__'])"));
        assertTrue(out.contains("[[1.0, 2.0, 3.0], [4.0, 5.0, -6.5]] [0.5, -2.0, 65504.0] {'who': 'java'}"), out);
        if (missing("safetensors") == null) { // the library itself, where pip installed it
            out = run(List.of(PYTHON, "-c", "from safetensors.numpy import load_file; from safetensors import safe_open\n"
                    + "d = load_file('" + plain + "'); print(d['a'].tolist(), d['b'].tolist())\n"
                    + "with safe_open('" + plain + "', 'np') as f: print(f.metadata())"));
            assertTrue(out.contains("[[1.0, 2.0, 3.0], [4.0, 5.0, -6.5]] [0.5, -2.0, 65504.0]"), out);
            assertTrue(out.contains("{'who': 'java'}"), out);
        } else {
            System.out.println("PythonInteropTest: the safetensors library is not installed here; its own loading of our"
                    + " files is not checked (qvg_read.py reads them with numpy alone)");
        }

        Object[][] cases = {
            {new BlockQuantConfig(2, 16, true, ScalePrecision.BF16), Orientation.TOKEN_MAJOR, 2, 8, 8},
            {new BlockQuantConfig(3, 16, false, ScalePrecision.FP8_E4M3), Orientation.CHANNEL_MAJOR, 0, 1, 8},
            {new BlockQuantConfig(4, 8, false, ScalePrecision.BF16), Orientation.TOKEN_MAJOR, 1, 300, 0},
            {new BlockQuantConfig(8, 16, true, ScalePrecision.FP8_E4M3), Orientation.TOKEN_MAJOR, 3, 4, 0},
        };
        List<String> checks = new ArrayList<>();
        for (int i = 0; i < cases.length; i++) {
            Object[] c = cases[i];
            QuantizedKv q = QuantizedKvFileTest.sample(new KvShape(2, 2, 40, 16), (BlockQuantConfig) c[0],
                    (Orientation) c[1], (int) c[2], (int) c[3], (int) c[4], i);
            Path file = dir.resolve("case" + i + ".qvg.safetensors");
            QuantizedKvFile.write(file, Map.of("k", q), QuantizerConfig.publishedInt2().toBuilder()
                    .quant((BlockQuantConfig) c[0]).build(), false);
            KvTensor decoded = ReferenceDecoder.decode(q);
            Path ref = dir.resolve("case" + i + ".npy");
            Npy.write(ref, new long[] {2, 2, 40, 16}, decoded.data(), DType.F32, false);
            checks.add("('" + file + "', '" + ref + "')");
        }
        String script = "import sys, numpy as np\nsys.path.insert(0, 'python')\nimport qvg_read\n"
                + "for f, r in [" + String.join(", ", checks) + "]:\n"
                + "    d, m = qvg_read.read(f)\n"
                + "    print('same' if np.array_equal(d['k'].view(np.uint32), np.load(r).view(np.uint32)) else 'DIFFERENT')\n";
        out = run(List.of(PYTHON, "-c", script));
        assertEquals(cases.length, out.lines().filter(l -> l.equals("same")).count(), out);
    }
}
