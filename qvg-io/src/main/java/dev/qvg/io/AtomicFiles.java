package dev.qvg.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that readers see either the old file or the complete new one, never a half:
 * the bytes go to a temporary file in the same directory (so the final rename stays on one file
 * system), are flushed, and the temporary file is renamed over the target. Without {@code force}
 * an existing target is never replaced, and the final step is a hard link (atomic, fails when
 * the name exists) so even a file created meanwhile is not overwritten.
 */
public final class AtomicFiles {

    /** Writes the content through the channel, positioned at 0. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} via {@code body}. Throws {@link FileAlreadyExistsException} when the
     * target exists and {@code force} is false; the existing file is then left untouched.
     */
    public static void write(Path target, boolean force, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        if (!force && Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw refuse(abs);
        }
        Path dir = abs.getParent();
        Path tmp = TempFiles.create(dir, abs.getFileName().toString());
        boolean done = false;
        try {
            readableByAll(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
            if (force) {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                publishWithoutReplacing(tmp, abs);
            }
            done = true;
        } finally {
            if (done) {
                TempFiles.forget(tmp);
            } else {
                TempFiles.delete(tmp);
            }
        }
    }

    /** Temporary files are created owner-only (0600); an output file should read like any other (0644). */
    private static void readableByAll(Path tmp) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: keep its default permissions.
        }
    }

    private static void publishWithoutReplacing(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw refuse(target);
        } catch (UnsupportedOperationException | IOException e) {
            // File systems without hard links: a plain move, which refuses an existing target.
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(target);
            }
            Files.move(tmp, target);
            return;
        }
        Files.delete(tmp);
    }

    private static FileAlreadyExistsException refuse(Path target) {
        return new FileAlreadyExistsException(target.toString(), null,
                "output exists; refusing to overwrite it without force (--force)");
    }
}
