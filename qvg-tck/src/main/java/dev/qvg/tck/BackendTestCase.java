package dev.qvg.tck;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Availability;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import org.junit.jupiter.api.Assumptions;

/**
 * What a backend author writes: the one factory hook, the capability switches and the empty
 * extension hooks, shared by every test case of the kit. Subclass {@link BaseBackendTestCase}
 * to run the whole kit, or one of the focused {@code Base*TestCase} classes.
 *
 * <p>Capability switches default to the full contract. Turning one off makes the tests that
 * need the feature report as skipped (with the reason), never as passed; a conformance report
 * therefore shows exactly what a backend does not do.
 */
public abstract class BackendTestCase {

    /**
     * A new backend under test. Called once per test class (the kit closes it afterwards); look
     * it up as users will, e.g. {@code Qvg.backends().getAvailable("mybackend").create()}, so
     * the test also proves the services entry works.
     */
    protected abstract Backend newBackend();

    /**
     * The registered backend {@code name}, created; when its provider says it cannot run here (no
     * GPU, no driver) the kit's tests are <em>skipped</em> with the provider's reason, not failed.
     * A provider missing from the class path still fails: that is a packaging bug.
     */
    protected static Backend createOrSkip(String name) {
        BackendProvider p = Qvg.backends().get(name);
        Availability a = p.availability();
        Assumptions.assumeTrue(a.available(), () -> "backend '" + name + "' is not available here: " + a.reason());
        return p.create();
    }

    /** Whether FP8 E4M3 scale storage is implemented. */
    protected boolean supportsFp8Scales() {
        return true;
    }

    /** Whether asymmetric (zero-point) block quantization is implemented. */
    protected boolean supportsAsymmetric() {
        return true;
    }

    /** Whether 3-bit codes (the dense 8-codes-in-3-bytes packing) are implemented. */
    protected boolean supportsInt3() {
        return true;
    }

    /**
     * Whether using a closed backend throws {@link IllegalStateException} (Backend contract,
     * item 4). Only a backend that holds no resources at all may switch this off.
     */
    protected boolean checksUseAfterClose() {
        return true;
    }

    /**
     * Whether one instance accepts concurrent calls (its provider lists the {@code thread-safe}
     * capability); {@code true} adds a check that concurrent calls give the reference's results.
     */
    protected boolean threadSafe() {
        return false;
    }

    /** Extension hook: runs before each test of the kit, after the backend exists. */
    protected void beforeEachKitTest(Backend backend) {
    }

    /** Extension hook: runs after each test of the kit (also when it failed). */
    protected void afterEachKitTest(Backend backend) {
    }

    /**
     * The test case whose hook and switches apply; {@link BaseBackendTestCase}'s nested groups
     * return their enclosing instance so that one subclass configures them all.
     */
    protected BackendTestCase spec() {
        return this;
    }
}
