package dev.qvg.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The claim-backing rule: a failure naming what is missing in CI, a skip saying why elsewhere. */
class ClaimsTest {

    @Test
    void ciIsTheVariableSetAndNotFalse() {
        assertFalse(Claims.ci(null));
        assertFalse(Claims.ci(" "));
        assertFalse(Claims.ci("False"));
        assertTrue(Claims.ci("true"));
        assertTrue(Claims.ci("1"));
    }

    @Test
    void somethingMissingFailsInCiNamingItAndSkipsElsewhere() {
        // printed as a skip: named so that nobody reading the log takes it for a real missing tool
        String what = "ClaimsTest's example tool", fix = "nothing to do (a test of the rule)";
        Claims.require(true, what, fix, true);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Claims.require(false, what, fix, true));
        assertEquals("CI: ClaimsTest's example tool is missing; nothing to do (a test of the rule)", e.getMessage());
        TestAbortedException s = assertThrows(TestAbortedException.class, () -> Claims.require(false, what, fix, false));
        assertTrue(s.getMessage().contains(what + " is missing; " + fix), s.getMessage());
    }

    @Test
    void aMissingFileIsNamedWithItsPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("example.bin");
        Throwable t = assertThrows(Throwable.class, () -> Claims.requireFile(file, "ClaimsTest's example file"));
        assertTrue(t.getMessage().contains("ClaimsTest's example file (" + file + ") is missing"), t.getMessage());
        assertTrue(t.getMessage().contains("-Dqvg.data=DIR"), t.getMessage());
        Files.writeString(file, "x");
        Claims.requireFile(file, "ClaimsTest's example file");
    }

    @Test
    void aToolThatCannotRunIsMissingWithWhy() {
        Claims.requireTool("java", "install a JDK", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version");
        Throwable t = assertThrows(Throwable.class,
                () -> Claims.requireTool("ClaimsTest's example tool", "nothing to do", "qvg-no-such-tool-here"));
        assertTrue(t.getMessage().startsWith((Claims.inCi() ? "CI: " : "") + "ClaimsTest's example tool ("), t.getMessage());
        assertTrue(t.getMessage().endsWith(") is missing; nothing to do"), t.getMessage());
    }

    @Test
    void sharedDataIsBesideTheCheckoutUnlessGiven() {
        String before = System.getProperty("qvg.data");
        try {
            System.clearProperty("qvg.data");
            // Maven runs the tests in qvg-test-support, one level below the checkout's root
            Path root = Path.of("").toAbsolutePath().getParent();
            assertEquals(root.getParent().resolve("shared").resolve("data"), Claims.sharedData());
            System.setProperty("qvg.data", "/elsewhere");
            assertEquals(Path.of("/elsewhere"), Claims.sharedData());
        } finally {
            if (before == null) {
                System.clearProperty("qvg.data");
            } else {
                System.setProperty("qvg.data", before);
            }
        }
    }

    @Test
    void aReadOnlyDirTakesNoNewFileUntilClosed(@TempDir Path dir) throws Exception {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        try (ReadOnlyDir d = ReadOnlyDir.of(ro)) {
            assertThrows(java.io.IOException.class, () -> Files.createFile(ro.resolve("f")));
        }
        Files.delete(Files.createFile(ro.resolve("f")));
    }
}
