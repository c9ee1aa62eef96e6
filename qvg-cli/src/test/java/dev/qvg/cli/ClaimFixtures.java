package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test that backs a published claim needs from outside the repository (the shared data
 * beside the checkout, a Python with numpy): where it is missing the test skips saying why, and
 * in CI (the {@code CI} environment variable set) it fails instead, naming what is missing, so a
 * claim is never "backed" by a test that did not run.
 */
final class ClaimFixtures {

    private ClaimFixtures() {
    }

    /** Whether this run is CI's: {@code CI} set (and not "false"). */
    static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    /**
     * {@code -Dqvg.data=DIR}, else {@code shared/data} beside the checkout: the repository root is
     * found upwards from the module's folder (where Maven runs the tests) by its {@code .ci} folder.
     */
    static Path sharedData() {
        String given = System.getProperty("qvg.data");
        if (given != null) {
            return Path.of(given);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null && d.getParent() != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve(".ci")) && Files.isDirectory(d.resolve("qvg-api"))) {
                return d.getParent().resolve("shared").resolve("data");
            }
        }
        return Path.of("..", "shared", "data").toAbsolutePath();
    }

    /** Continues when {@code present}; else skips (outside CI) or fails (in CI) with {@code what} and {@code fix}. */
    static void require(boolean present, String what, String fix) {
        if (present) {
            return;
        }
        String why = what + " is missing; " + fix;
        if (inCi()) {
            fail("CI: " + why);
        }
        System.out.println("skipped: " + why);
        Assumptions.abort(why);
    }

    /** {@link #require} for a file. */
    static void requireFile(Path file, String what) {
        require(Files.isRegularFile(file), what + " (" + file + ")", "the claim rests on it; -Dqvg.data=DIR moves it");
    }
}
