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
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged PTX: what the Java side loads exists in it; its ISA version is one every CUDA 12.x
 * and 13.x driver JIT-compiles; it is what the sources compile to with the nvcc of these machines;
 * and {@code ptxas} assembles it for sm_80 (A100) and sm_90 (H100, H200) without spilling. The
 * last two run where the CUDA toolkit is installed (it is on the build machines and on the GPU
 * machines) and skip, printing why, elsewhere.
 */
class PtxResourcesTest {

    /** PTX ISA 7.0 is the first with sm_80; 8.0 is CUDA 12.0's, so every 12.x and 13.x driver loads it. */
    static final int MIN_ISA = 70, MAX_ISA = 80;
    private static final Path TOOLKIT = Path.of(System.getProperty("qvg.cuda.home", "/usr/local/cuda"));

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
    void ptxDeclaresAnIsaEveryCuda12And13DriverLoads() {
        for (String module : Ptx.ENTRIES.keySet()) {
            String ptx = text(module);
            Matcher v = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$").matcher(ptx);
            assertTrue(v.find(), module + ": no .version directive");
            int isa = Integer.parseInt(v.group(1)) * 10 + Integer.parseInt(v.group(2));
            assertTrue(isa >= MIN_ISA && isa <= MAX_ISA, module + " declares PTX ISA " + v.group(1) + "." + v.group(2)
                    + ": a CUDA 12.0 driver loads up to 8.0 (build with the nvcc profile, which lowers nvcc 13's 9.0)");
            assertTrue(ptx.contains("\n.target sm_80\n"), module + ": expected the compute_80 target");
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

    private static Path tool(String name) {
        Path p = TOOLKIT.resolve("bin").resolve(name);
        if (!Files.isExecutable(p)) {
            System.out.println("PtxResourcesTest: " + name + " not installed at " + p + ": check skipped");
        }
        assumeTrue(Files.isExecutable(p), name + " not installed at " + p);
        return p;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + log);
        return log;
    }

    @Test
    void committedPtxIsWhatTheSourcesCompileTo(@TempDir Path tmp) throws IOException, InterruptedException {
        Path nvcc = tool("nvcc");
        String why = ModuleSources.missing("src/main/cuda");
        if (why != null) {
            System.out.println("PtxResourcesTest: " + why + ": cannot recompile the PTX");
        }
        assumeTrue(why == null, why);
        for (String module : Ptx.ENTRIES.keySet()) {
            Path out = tmp.resolve(module + ".ptx");
            run(List.of(nvcc.toString(), "-ptx", "-arch=compute_80", "-o", out.toString(),
                    ModuleSources.resolve("src/main/cuda/" + module + ".cu").toString()));
            // The same rewrite as the nvcc Maven profile's: the declared ISA lowered to 8.0.
            String fresh = Files.readString(out, StandardCharsets.US_ASCII)
                    .replaceAll("(?m)^\\.version \\d+\\.\\d+$", ".version 8.0");
            assertArrayEquals(fresh.getBytes(StandardCharsets.US_ASCII), text(module).getBytes(StandardCharsets.US_ASCII),
                    module + ".ptx is stale: rebuild with the nvcc profile (mvn -pl qvg-cuda package) and commit"
                            + " src/main/resources/dev/qvg/cuda/ptx");
        }
    }

    @Test
    void ptxasAssemblesEveryModuleForSm80AndSm90WithoutSpilling(@TempDir Path tmp) throws IOException, InterruptedException {
        Path ptxas = tool("ptxas");
        for (String module : Ptx.ENTRIES.keySet()) {
            Path in = tmp.resolve(module + ".ptx");
            Files.writeString(in, text(module), StandardCharsets.US_ASCII);
            for (String arch : List.of("sm_80", "sm_90")) {
                String log = run(List.of(ptxas.toString(), "-arch=" + arch, "-v", "-o", tmp.resolve(module + ".cubin").toString(),
                        in.toString()));
                Matcher spill = Pattern.compile("(\\d+) bytes spill stores, (\\d+) bytes spill loads").matcher(log);
                int functions = 0;
                while (spill.find()) {
                    functions++;
                    assertEquals("0", spill.group(1), module + " spills registers on " + arch + ":\n" + log);
                }
                assertEquals(Ptx.ENTRIES.get(module).size(), functions, module + " on " + arch + ": one report per kernel\n" + log);
            }
        }
    }
}
