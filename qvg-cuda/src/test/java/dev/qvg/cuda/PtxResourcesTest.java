package dev.qvg.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged PTX: what the Java side loads exists in it, and it is what the sources compile to. */
class PtxResourcesTest {

    private static String text(String module) {
        byte[] z = Ptx.load(module);
        assertEquals(0, z[z.length - 1], "cuModuleLoadData needs a NUL-terminated image");
        return new String(z, 0, z.length - 1, StandardCharsets.US_ASCII);
    }

    @Test
    void everyKernelTheJavaSideLaunchesIsAnEntryOfItsModule() {
        for (Map.Entry<String, List<String>> e : Ptx.ENTRIES.entrySet()) {
            String ptx = text(e.getKey());
            Matcher m = Pattern.compile("\\.visible \\.entry (\\w+)\\(").matcher(ptx);
            List<String> entries = m.results().map(r -> r.group(1)).collect(Collectors.toList());
            assertTrue(entries.containsAll(e.getValue()), e.getKey() + ".ptx has " + entries + ", needs " + e.getValue());
        }
    }

    @Test
    void ptxTargetsAVersionACuda13DriverLoads() {
        for (String module : Ptx.ENTRIES.keySet()) {
            String ptx = text(module);
            Matcher v = Pattern.compile("\\.version (\\d+)\\.(\\d+)").matcher(ptx);
            assertTrue(v.find(), module);
            int major = Integer.parseInt(v.group(1)), minor = Integer.parseInt(v.group(2));
            // PTX ISA 9.0 is CUDA 13.0's; driver 580 (CUDA 13.0) JIT-compiles up to it.
            assertTrue(major < 9 || (major == 9 && minor == 0), module + " is PTX " + major + "." + minor);
            assertTrue(ptx.contains(".target sm_80"), module + ": expected the compute_80 target");
        }
    }

    @Test
    void floatArithmeticIsNeverContractedNorApproximated() {
        // Bit-exactness with the Java reference rests on separate IEEE multiplies and adds and
        // correctly rounded division.
        for (String module : Ptx.ENTRIES.keySet()) {
            String ptx = text(module);
            assertFalse(Pattern.compile("\\bfma\\.").matcher(ptx).find(), module + " contains an fma");
            assertFalse(Pattern.compile("div\\.(approx|full)\\.f32").matcher(ptx).find(), module + " has an inexact division");
            assertFalse(ptx.contains(".ftz"), module + " flushes subnormals");
        }
    }

    @Test
    void committedPtxMatchesTheSourcesWhereNvccExists(@TempDir Path tmp) throws IOException, InterruptedException {
        Path nvcc = Path.of("/usr/local/cuda/bin/nvcc");
        assumeTrue(Files.isExecutable(nvcc), "nvcc not installed at " + nvcc + ": cannot recompile the PTX");
        for (String module : Ptx.ENTRIES.keySet()) {
            Path out = tmp.resolve(module + ".ptx");
            Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=compute_80", "-o", out.toString(),
                    "src/main/cuda/" + module + ".cu").redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), log);
            byte[] committed = Arrays.copyOf(Ptx.load(module), Ptx.load(module).length - 1);
            assertArrayEquals(Files.readAllBytes(out), committed,
                    module + ".ptx is stale: rebuild with the nvcc profile and commit src/main/resources/dev/qvg/cuda/ptx");
        }
    }
}
