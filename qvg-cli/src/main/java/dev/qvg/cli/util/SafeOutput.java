package dev.qvg.cli.util;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

    /**
     * Fails with a one-line {@link BadInputException} when {@code target} exists and {@code force}
     * is off, or is something no output may replace: a directory, a device, a pipe, a link (an
     * atomic rename would replace the link, not write where it points).
     */
    public static void checkWritable(Path target, boolean force) {
        if (Files.isDirectory(target)) {
            throw new BadInputException("output " + target + " is a directory, expected a file path");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException("output " + target + " is not a regular file (a link, device or pipe);"
                    + " refusing to replace it: write to a plain file path");
        }
        if (!force && Files.exists(target)) {
            throw new BadInputException("output " + target + " already exists; pass --force to overwrite it");
        }
    }

    /**
     * {@link #checkWritable(Path, boolean)}, and refuses an output that is one of the inputs (also
     * through a link): the input is still being read while the output is written, and replacing
     * it would destroy it.
     */
    public static void checkWritable(Path target, boolean force, Path... inputs) throws IOException {
        checkWritable(target, force);
        if (!Files.exists(target)) {
            return;
        }
        for (Path in : inputs) {
            if (in != null && Files.exists(in) && Files.isSameFile(target, in)) {
                throw new BadInputException("output " + target + " is the input file " + in
                        + "; write to another path (the input is read while the output is written)");
            }
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
