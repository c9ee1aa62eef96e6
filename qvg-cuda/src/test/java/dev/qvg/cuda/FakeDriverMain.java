package dev.qvg.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.qvg.api.spi.Availability;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.MethodFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * What {@link FakeDriverTest} runs in a JVM whose {@code libcuda.so.1} is the stand-in driver
 * ({@code src/test/cuda/fake_libcuda.cpp}): the steps of the GPU run, through JCuda, in order,
 * each required to pass: the provider is available, {@link DeviceCheck} passes, the GPU tests
 * ({@link CudaBackendTest}, the whole kit through {@link CudaBackendConformanceTest}) run and pass
 * without a skip, and {@link KernelTimings} produces every row. Exit 0 when all hold.
 */
public final class FakeDriverMain {

    private FakeDriverMain() {
    }

    public static void main(String[] args) throws Exception {
        Availability a = new CudaBackendProvider().availability();
        System.out.println("provider: " + a.reason());
        require(a.available() && a.reason().contains("fake"), "the cuda provider must see the fake driver");
        require(DeviceCheck.run() == 0, "DeviceCheck must pass");

        // The two largest CudaBackendTest cases take a minute here; qvg.cuda.emulate runs them on the
        // same kernels (see CudaBackendTest), so they are left to the GPU and to that option.
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(CudaBackendTest.class), selectClass(CudaBackendConformanceTest.class))
                .filters(MethodFilter.excludeMethodNamePatterns(".*LongCatHead.*", ".*AtAModelLikeSize.*"))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        List<String> aborted = new ArrayList<>();
        TestExecutionListener abortions = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                    aborted.add(id.getDisplayName() + ": " + result.getThrowable().map(Throwable::getMessage).orElse("?"));
                }
            }
        };
        LauncherFactory.create().execute(request, listener, abortions);
        TestExecutionSummary s = listener.getSummary();
        s.printTo(new PrintWriter(System.out, true));
        s.printFailuresTo(new PrintWriter(System.out, true), 20);
        require(s.getTotalFailureCount() == 0, "GPU tests failed");
        // The one skip allowed: concurrent calls, which this backend does not offer (not "thread-safe").
        aborted.removeIf(m -> m.contains("threadSafe() is false"));
        require(aborted.isEmpty(), "GPU tests skipped: " + aborted);
        require(s.getTestsSucceededCount() > 300, "too few GPU tests ran: " + s.getTestsSucceededCount());

        Path json = Files.createTempFile("qvg-timings", ".json");
        KernelTimings.main(new String[] {"--quick", "--tokens", "300", "--json", json.toString()});
        String written = Files.readString(json);
        require(written.contains("\"key\": \"encode_span_layer_wall\""), "KernelTimings must write every row: " + written);
        System.out.println("fake driver run: every step passed");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            System.out.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
