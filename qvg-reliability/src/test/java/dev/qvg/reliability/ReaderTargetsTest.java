package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.io.CorruptFileException;
import java.io.EOFException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The fuzz harness itself can fail: each kind of finding it is meant to catch is caught. */
class ReaderTargetsTest {

    private static final byte[] INPUT = new byte[100];

    @Test
    void theDocumentedRefusalPasses() {
        assertDoesNotThrow(() -> ReaderTargets.run(INPUT, f -> {
            throw new CorruptFileException(f, "header", "bad");
        }));
    }

    @Test
    void anyOtherExceptionEscapes() {
        assertThrows(IndexOutOfBoundsException.class, () -> ReaderTargets.run(INPUT, f -> {
            throw new IndexOutOfBoundsException("index 9 out of bounds for length 4");
        }));
        assertThrows(EOFException.class, () -> ReaderTargets.run(INPUT, f -> {
            throw new EOFException("a plain IOException is not the documented refusal");
        }));
    }

    @Test
    void aRefusalNamingAnotherFileOrNoPartIsAFinding() {
        assertThrows(AssertionError.class, () -> ReaderTargets.run(INPUT, f -> {
            throw new CorruptFileException(Path.of("/elsewhere"), "header", "bad");
        }));
        assertThrows(AssertionError.class, () -> ReaderTargets.run(INPUT, f -> {
            throw new CorruptFileException(f, "", "bad");
        }));
    }

    @Test
    void allocatingForADeclaredSizeIsAFinding() {
        AssertionError e = assertThrows(AssertionError.class, () -> ReaderTargets.run(INPUT, f -> {
            long[] trusted = new long[4 << 20]; // 32 MiB for 100 bytes of input
            trusted[trusted.length - 1] = f.hashCode();
        }));
        assertTrue(e.getMessage().contains("a declared size was trusted"), e.getMessage());
    }
}
