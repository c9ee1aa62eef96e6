package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs one kit class through the JUnit launcher and checks that a mutant fails it where it should. */
final class KitRun {

    private KitRun() {
    }

    /**
     * Runs {@code kit} and asserts: something failed, the test {@code mustFail} among the failures,
     * something passed (so the failure is the bug, not a crash), and every failure carries the seed.
     */
    static void assertKitFails(Class<?> kit, String mutant, String mustFail) {
        List<String> failed = new ArrayList<>();
        int[] passed = {0};
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(kit)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                        if (!id.isTest()) {
                            return;
                        }
                        if (r.getStatus() == TestExecutionResult.Status.FAILED) {
                            failed.add(id.getUniqueId() + " " + r.getThrowable().map(Throwable::getMessage).orElse(""));
                        } else if (r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                            passed[0]++;
                        }
                    }
                });
        assertFalse(failed.isEmpty(), mutant + ": the kit passed a broken provider");
        assertTrue(failed.stream().anyMatch(f -> f.contains(mustFail)), mutant + ": expected " + mustFail
                + " to fail; failed: " + failed);
        assertTrue(passed[0] > 0, mutant + ": nothing passed, so the failure is not specific: " + failed);
        assertTrue(failed.stream().allMatch(f -> f.contains("reproduce with -Dqvg.tck.seed=0x")),
                mutant + ": every failure message must carry the seed: " + failed.get(0));
    }
}
