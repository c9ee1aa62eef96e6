package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class TckExtensionTest {

    static final List<String> HOOK_CALLS = new ArrayList<>();

    /** A kit whose extension hooks leak a system property and record their calls. */
    static class LeakyKit extends BaseCentroidOpsTestCase {
        @Override
        protected Backend newBackend() {
            return new ReferenceBackend();
        }

        @Override
        protected void beforeEachKitTest(Backend backend) {
            HOOK_CALLS.add("before " + backend.name());
            System.setProperty("qvg.tck.test.leak", "leaked");
            System.clearProperty("qvg.tck.test.keep");
        }

        @Override
        protected void afterEachKitTest(Backend backend) {
            HOOK_CALLS.add("after");
        }
    }

    /** A kit for a backend that cannot run here (as qvg-cuda's on a machine without a GPU). */
    static class UnavailableKit extends BaseBadInputTestCase {
        @Override
        protected Backend newBackend() {
            return createOrSkip("ghostgpu");
        }
    }

    /** Registered from this module's test resources: present, never available. */
    public static final class GhostGpuProvider implements dev.qvg.api.spi.BackendProvider {
        @Override
        public String name() {
            return "ghostgpu";
        }

        @Override
        public dev.qvg.api.spi.Availability availability() {
            return dev.qvg.api.spi.Availability.unavailable("no CUDA driver (test provider)");
        }

        @Override
        public Backend create() {
            throw new IllegalStateException("never created: it is unavailable");
        }
    }

    @Test
    void anUnavailableBackendSkipsTheKitWithTheProvidersReason() {
        List<String> outcomes = new ArrayList<>();
        LauncherFactory.create().execute(
                LauncherDiscoveryRequestBuilder.request().selectors(selectClass(UnavailableKit.class)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                        outcomes.add(r.getStatus() + " " + r.getThrowable().map(Throwable::getMessage).orElse(""));
                    }
                });
        assertTrue(outcomes.stream().noneMatch(o -> o.startsWith("FAILED")), outcomes.toString());
        assertTrue(outcomes.stream().anyMatch(o -> o.startsWith("ABORTED") && o.contains("no CUDA driver (test provider)")),
                outcomes.toString());
    }

    @Test
    void hooksRunAroundEveryTestAndSystemPropertiesAreRestored() {
        HOOK_CALLS.clear();
        System.setProperty("qvg.tck.test.keep", "kept");
        int[] tests = {0, 0};
        try {
            LauncherFactory.create().execute(
                    LauncherDiscoveryRequestBuilder.request().selectors(selectClass(LeakyKit.class)).build(),
                    new TestExecutionListener() {
                        @Override
                        public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                            if (id.isTest()) {
                                tests[0]++;
                                tests[1] += r.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? 1 : 0;
                            }
                        }
                    });
            assertTrue(tests[0] > 10, "tests run: " + tests[0]);
            assertEquals(tests[0], tests[1], "all pass on the reference");
            assertEquals(2 * tests[0], HOOK_CALLS.size());
            assertEquals("before reference", HOOK_CALLS.get(0));
            assertNull(System.getProperty("qvg.tck.test.leak"), "a property set during a test is removed");
            assertEquals("kept", System.getProperty("qvg.tck.test.keep"), "a property cleared during a test is put back");
        } finally {
            System.clearProperty("qvg.tck.test.keep");
        }
    }
}
