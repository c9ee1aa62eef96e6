package dev.qvg.cli.util;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes outputs so that an existing file is never replaced without {@code --force}, and a reader
 * never sees a half-written file: the content goes to a temporary file in the target's directory,
 * which is then renamed over the target in one step.
 */
public final class SafeOutput {

    /** Writes a complete file at the given (temporary) path. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(Path temp) throws IOException;
    }

    private SafeOutput() {
    }

    /** Fails with a one-line {@link BadInputException} when {@code target} exists and {@code force} is off. */
    public static void checkWritable(Path target, boolean force) {
        if (Files.isDirectory(target)) {
            throw new BadInputException("output " + target + " is a directory, expected a file path");
        }
        if (!force && Files.exists(target)) {
            throw new BadInputException("output " + target + " already exists; pass --force to overwrite it");
        }
    }

    /** Creates the directory {@code target} goes in, so a writer given a fresh path does not fail on it. */
    public static void createParent(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
    }

    /** Writes {@code target} through {@code writer} atomically, after {@link #checkWritable}. */
    public static void write(Path target, boolean force, Writer writer) throws IOException {
        checkWritable(target, force);
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path temp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            writer.writeTo(temp);
            readableByAll(temp);
            try {
                Files.move(temp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Temporary files are created owner-only; an output file should be readable like any other. */
    private static void readableByAll(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its default permissions stand
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, boolean force, String text) throws IOException {
        write(target, force, temp -> Files.writeString(temp, text));
    }
}
