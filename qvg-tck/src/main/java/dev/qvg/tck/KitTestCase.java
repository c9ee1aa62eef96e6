package dev.qvg.tck;

import dev.qvg.api.config.Seeds;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every test case of the kit shares, whatever SPI it checks: one instance per test class,
 * the printed seed ({@link TckSettings}, read by {@link TckExtension}), a per-test random
 * generator derived from the seed and the test's name (so one test reruns with the same data
 * whatever else runs), size scaling, and the name of the provider under test in every failure
 * message.
 *
 * <p>The kit is the definition of a conforming provider: <b>any bug it lets through is a gap in
 * the kit</b>; please report it with the provider and the seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(TckExtension.class)
public abstract class KitTestCase implements KitInstance {

    /** Set by {@link TckExtension} before the first test. */
    TckSettings settings;
    private String testName = "";

    /** What kind of provider this case checks ({@code backend}, {@code clusterer}, ...), for messages. */
    protected abstract String subjectKind();

    /** The name of the provider under test, once known (for messages), else {@code "?"}. */
    protected abstract String subjectName();

    @BeforeEach
    final void nameThisTest(TestInfo info) {
        if (settings == null) {
            settings = TckSettings.fromSystemProperties();
        }
        // Keyed by the declaring kit class, not the subclass: the same seed gives the same data
        // under Maven, under ConformanceRunner and in any provider's subclass.
        testName = info.getTestMethod().map(m -> m.getDeclaringClass().getName() + "#" + m.getName()).orElse("")
                + " " + info.getDisplayName();
    }

    @Override
    public final void useSettings(TckSettings s) {
        settings = s;
    }

    @Override
    public final TckSettings currentSettings() {
        return settings();
    }

    @Override
    public final String subject() {
        return subjectKind() + " '" + subjectName() + "'";
    }

    protected final TckSettings settings() {
        if (settings == null) {
            settings = TckSettings.fromSystemProperties();
        }
        return settings;
    }

    /** A generator for this test only: same seed and test, same numbers. */
    protected final Random random() {
        return new Random(Seeds.derive(settings().seed(), testName.hashCode(), testName.length()));
    }

    /** {@code n} scaled by {@code -Dqvg.tck.multiplier}. */
    protected final int scaled(int n) {
        return settings().scaled(n);
    }
}
