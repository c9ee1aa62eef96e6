package dev.qvg.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The rule for a test that backs a published claim (README, "The two commands"): what it needs
 * from outside the repository (the shared data beside the checkout, a Python with numpy, FAISS,
 * g++) is either there, or the test does not pass silently:
 * <ol>
 *   <li>in CI (the {@code CI} environment variable set, and not "false"; {@code .ci/run} sets it)
 *       the test fails, naming what is missing and how to provide it, so that a claim is never
 *       "backed" by a test that did not run;</li>
 *   <li>elsewhere it skips (a JUnit assumption), with the same reason printed on standard output
 *       and given to JUnit.</li>
 * </ol>
 * Every module's tests take this class (module {@code qvg-test-support}, test scope) instead of
 * deciding skip-or-fail themselves.
 */
public final class Claims {

    private Claims() {
    }

    /** Whether this run is CI's: {@code CI} set, not blank and not "false". */
    public static boolean inCi() {
        return ci(System.getenv("CI"));
    }

    /** {@link #inCi()} for a given value of the {@code CI} variable (null: unset). */
    static boolean ci(String value) {
        return value != null && !value.isBlank() && !value.equalsIgnoreCase("false");
    }

    /**
     * The shared data folder, found in this order:
     * <ol>
     *   <li>{@code -Dqvg.data=DIR};</li>
     *   <li>{@code shared/data} beside the checkout: the checkout's root is the first folder
     *       upwards from the working directory (the module's folder, where Maven runs the tests)
     *       that holds both {@code .ci} and {@code qvg-api};</li>
     *   <li>else {@code ../shared/data} from the working directory.</li>
     * </ol>
     */
    public static Path sharedData() {
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

    /**
     * The Python the interop tests run: {@code -Dqvg.python=PATH}, else Debian's
     * {@code /usr/bin/python3} (another {@code python3} earlier on the PATH may lack numpy), else
     * {@code python3}.
     */
    public static String python() {
        String given = System.getProperty("qvg.python");
        if (given != null) {
            return given;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /**
     * Continues when {@code present}; else fails in CI, or skips elsewhere, with
     * "{@code what} is missing; {@code fix}".
     */
    public static void require(boolean present, String what, String fix) {
        require(present, what, fix, inCi());
    }

    /** {@link #require(boolean, String, String)} with CI given ({@code ci}) instead of read from the environment. */
    public static void require(boolean present, String what, String fix, boolean ci) {
        if (present) {
            return;
        }
        String why = what + " is missing; " + fix;
        if (ci) {
            fail("CI: " + why);
        }
        skip(why);
    }

    /** {@link #require} for a file, {@code what} naming it; its path is in the message. */
    public static void requireFile(Path file, String what) {
        require(Files.isRegularFile(file), what + " (" + file + ")", "the claim rests on it; -Dqvg.data=DIR moves it");
    }

    /**
     * {@link #require} for a tool: continues when {@code command} runs and exits 0 (for example
     * {@code python3 -c "import numpy"}); else {@code what} is missing, with the last line the
     * command wrote (or why it could not start) after it.
     */
    public static void requireTool(String what, String fix, String... command) {
        String detail;
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() == 0) {
                return;
            }
            detail = out.strip().lines().reduce((a, b) -> b).orElse("exit " + p.exitValue());
        } catch (IOException e) {
            detail = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            detail = "interrupted";
        }
        require(false, what + " (" + detail + ")", fix);
    }

    /** Skips the calling test (a JUnit assumption), printing {@code why} first. */
    public static void skip(String why) {
        System.out.println("skipped: " + why);
        Assumptions.abort(why);
    }
}
