package dev.qvg.cli.util;

import dev.qvg.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The rules every output of the command line follows, checked before any work so that a run
 * that could not publish its result fails at once rather than after the computation:
 * never replaced without {@code --force}; never, even with it, something that is not a regular
 * file (a device such as {@code /dev/null}, a FIFO, a link, a folder) or the same file as an
 * input (also through a link or a second hard link); and a folder where a file can be created.
 * The writing itself is qvg-io's {@link AtomicFiles}: a hidden temporary file beside the target,
 * renamed over it when complete, removed if the run fails or is stopped, the umask's mode for a
 * new file and the old mode for a replaced one.
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
     * is off, is something no output may replace (a folder, a device, a pipe, a link: an atomic
     * rename would replace the link, not write where it points), or lies in a folder where no
     * file can be created. Creates the target's folder when missing (the write would).
     */
    public static void checkWritable(Path target, boolean force) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException("output " + target + " is a directory, expected a file path");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException("output " + target + " is not a regular file (a link, device or pipe);"
                    + " refusing to replace it even with --force: write to a plain file path");
        }
        if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException("output " + target + " already exists; pass --force to overwrite it");
        }
        createParent(target);
        try {
            AtomicFiles.checkTarget(target, force);
        } catch (FileSystemException e) {
            throw new BadInputException("output " + target + ": " + (e.getReason() != null ? e.getReason() : e.getMessage()));
        }
    }

    /**
     * {@link #checkWritable(Path, boolean)}, and refuses an output that is one of the inputs (also
     * through a link): the input is still being read while the output is written, and replacing
     * it would destroy it.
     */
    public static void checkWritable(Path target, boolean force, Path... inputs) throws IOException {
        refuseInputs(target, inputs);
        checkWritable(target, force);
    }

    private static void refuseInputs(Path target, Path... inputs) throws IOException {
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
        AtomicFiles.writeFile(target, force, writer::writeTo);
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, boolean force, String text) throws IOException {
        write(target, force, temp -> Files.writeString(temp, text));
    }
}
