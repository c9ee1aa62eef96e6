package dev.qvg.tck;

import dev.qvg.api.config.Seeds;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lifecycle shared by the focused test cases: one backend per test class (device backends are
 * costly to start), the {@link ReferenceBackend} it is compared with, a per-test random
 * generator derived from the printed seed and the test's display name (so one test reruns with
 * the same data whatever else runs), and size scaling.
 *
 * <p>The kit is the definition of a conforming backend: <b>any bug it lets through is a gap in
 * the kit</b>; please report it with the backend and the seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(TckExtension.class)
public abstract class BackendKitTestCase extends BackendTestCase implements KitInstance {

    /** Set by {@link TckExtension} before {@link #createBackend()}. */
    TckSettings settings;
    String backendName;
    private Backend backend;
    private final Backend reference = new ReferenceBackend();
    private String testName = "";

    @BeforeAll
    final void createBackend() {
        if (settings == null) {
            settings = TckSettings.fromSystemProperties();
        }
        backend = spec().newBackend();
        if (backend == null) {
            throw new IllegalStateException("newBackend() returned null");
        }
        backendName = backend.name();
    }

    @AfterAll
    final void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeEach
    final void beforeEachTest(TestInfo info) {
        // Keyed by the declaring kit class, not the subclass: the same seed gives the same data
        // under Maven, under ConformanceRunner and in any backend's subclass.
        testName = info.getTestMethod().map(m -> m.getDeclaringClass().getName() + "#" + m.getName()).orElse("")
                + " " + info.getDisplayName();
        spec().beforeEachKitTest(backend);
    }

    @AfterEach
    final void afterEachTest() {
        spec().afterEachKitTest(backend);
    }

    /** The backend under test. */
    protected final Backend backend() {
        return backend;
    }

    /** The executable specification it is compared with. */
    protected final Backend reference() {
        return reference;
    }

    protected final TckSettings settings() {
        return settings;
    }

    @Override
    public final void useSettings(TckSettings s) {
        settings = s;
    }

    @Override
    public final TckSettings currentSettings() {
        return settings != null ? settings : TckSettings.fromSystemProperties();
    }

    @Override
    public final String subject() {
        return "backend '" + (backendName == null ? "?" : backendName) + "'";
    }

    /** A generator for this test only: same seed and test, same numbers. */
    protected final Random random() {
        return new Random(Seeds.derive(settings.seed(), testName.hashCode(), testName.length()));
    }

    /** {@code n} scaled by {@code -Dqvg.tck.multiplier}. */
    protected final int scaled(int n) {
        return settings.scaled(n);
    }
}
