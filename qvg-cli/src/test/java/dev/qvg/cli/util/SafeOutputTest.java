package dev.qvg.cli.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeOutputTest {

    @Test
    void refusesExistingWithoutForceAndReplacesWithIt(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("sub/out.txt");
        SafeOutput.writeString(f, false, "one");
        assertEquals("one", Files.readString(f));
        BadInputException e = assertThrows(BadInputException.class, () -> SafeOutput.writeString(f, false, "two"));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("one", Files.readString(f));
        SafeOutput.writeString(f, true, "two");
        assertEquals("two", Files.readString(f));
        assertTrue(Files.getPosixFilePermissions(f).contains(PosixFilePermission.OTHERS_READ), "readable like any output");
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporary(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("out.txt");
        Files.writeString(f, "old");
        assertThrows(IOException.class, () -> SafeOutput.write(f, true, t -> {
            Files.writeString(t, "half");
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the original file remains");
        }
    }

    @Test
    void directoryIsNotAFile(@TempDir Path dir) {
        BadInputException e = assertThrows(BadInputException.class, () -> SafeOutput.checkWritable(dir, true));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }
}
