package dev.qvg.tck;

import java.util.Properties;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The kit's plumbing around every test of a {@link BackendKitTestCase} or {@link KitTestCase}:
 * <ol>
 *   <li>before all tests of a class: reads {@link TckSettings} from the configuration
 *       parameters and prints the seed with the flag that repeats the run;</li>
 *   <li>around each test: saves and restores the system properties, so a backend (or a test)
 *       that sets one cannot change the outcome of later tests;</li>
 *   <li>on failure: rethrows with the seed, the multiplier and the backend name appended, so the
 *       message alone is enough to reproduce it. Aborted (assumption) results pass through.</li>
 * </ol>
 */
public final class TckExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TckExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        TckSettings settings = TckSettings.from(context::getConfigurationParameter);
        KitInstance kit = kit(context);
        if (kit != null) {
            kit.useSettings(settings);
            System.out.println("qvg-tck: " + context.getRequiredTestClass().getSimpleName() + " seed "
                    + TckSettings.formatSeed(settings.seed()) + (settings.seedChosen() ? " (given)" : " (random)")
                    + ", multiplier " + settings.multiplier() + "; rerun with " + settings.rerunFlag());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Properties saved = new Properties();
        saved.putAll(System.getProperties());
        context.getStore(NS).put("props", saved);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Properties saved = context.getStore(NS).remove("props", Properties.class);
        if (saved == null) {
            return;
        }
        // Restored in place (not System.setProperties) so code holding the Properties object sees it.
        Properties now = System.getProperties();
        for (Object k : now.keySet().toArray()) {
            if (!saved.containsKey(k)) {
                now.remove(k);
            }
        }
        for (var e : saved.entrySet()) {
            if (!e.getValue().equals(now.get(e.getKey()))) {
                now.put(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withSeed(context, t);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withSeed(context, t);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withSeed(context, t);
    }

    private static Throwable withSeed(ExtensionContext context, Throwable t) {
        if (t instanceof TestAbortedException) {
            return t;
        }
        KitInstance kit = kit(context);
        TckSettings s = kit == null ? TckSettings.fromSystemProperties() : kit.currentSettings();
        String subject = kit == null ? "backend '?'" : kit.subject();
        String msg = (t.getMessage() == null ? t.getClass().getName() : t.getMessage())
                + (t instanceof AssertionError ? "" : " (" + t.getClass().getName() + ")")
                + " [" + subject + ", " + context.getDisplayName() + "; reproduce with " + s.rerunFlag() + "]";
        AssertionFailedError e = new AssertionFailedError(msg, t);
        e.setStackTrace(t.getStackTrace());
        return e;
    }

    private static KitInstance kit(ExtensionContext context) {
        Object instance = context.getTestInstance().orElse(null);
        return instance instanceof KitInstance k ? k : null;
    }
}
