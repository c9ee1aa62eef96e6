package dev.qvg.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JCuda path without a GPU: builds the stand-in driver {@code src/test/cuda/fake_libcuda.cpp}
 * as {@code libcuda.so.1} and runs {@link FakeDriverMain} in a child JVM that loads it through
 * {@code LD_LIBRARY_PATH}: the provider, {@link DeviceCheck}, the GPU tests and the whole kit, and
 * {@link KernelTimings}, through {@link CudaDevice}, {@link DeviceBuffer}, the pinned staging and
 * JCuda's own binding, with every copy and kernel pointer bounds-checked. What it cannot show is
 * the GPU itself (its compiler, its memory, its concurrency, its speed).
 */
class FakeDriverTest {

    private static final Path DIR = ModuleSources.resolve("target/fake-cuda");

    @BeforeAll
    static void compiler() {
        HostEmulator.requireFor("FakeDriverTest");  // the same g++ and sources as the host emulation
    }

    private static Path build() throws IOException, InterruptedException {
        Files.createDirectories(DIR);
        Path lib = DIR.resolve("libcuda.so.1");
        Process p = new ProcessBuilder("g++", "-O2", "-std=c++20", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC",
                "-o", lib.toString(), ModuleSources.resolve("src/test/cuda/fake_libcuda.cpp").toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the fake driver does not compile:\n" + log);
        return lib;
    }

    @Test
    void theGpuRunsStepsPassThroughJCudaOnTheFakeDriver() throws Exception {
        build();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                FakeDriverMain.class.getName())).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", DIR.toAbsolutePath().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        System.out.println(out);
        assertEquals(true, done, "the child JVM did not finish");
        assertEquals(0, p.exitValue(), "the GPU run's steps on the fake driver:\n" + out);
    }
}
