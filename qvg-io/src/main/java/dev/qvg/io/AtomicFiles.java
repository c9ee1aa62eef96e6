package dev.qvg.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Writes a file so that readers see either the old file or the complete new one, never a half:
 * the bytes go to a hidden temporary file in the same directory (so the final rename stays on one
 * file system; see {@link TempFiles} for its name and clean-up), are flushed, and the temporary
 * file is renamed over the target.
 *
 * <ul>
 *   <li>Without {@code force} an existing target is never replaced, and the final step is a hard
 *       link (atomic, fails when the name exists) so even a file created meanwhile is kept.</li>
 *   <li>Even with {@code force}, only a regular file is replaced: a device node, a FIFO, a
 *       symbolic link (a rename would replace the link, not write where it points) or a folder at
 *       the target is refused and left as it is, checked when starting and again just before
 *       publishing.</li>
 *   <li>A new file gets the mode this process's umask gives any new file; a replaced file keeps
 *       its mode. The temporary file is owner-only while it is written.</li>
 *   <li>Any failure to write (a full disk, a file-size limit, a read-only or unwritable folder)
 *       names the target, never the hidden temporary file, and leaves nothing behind.</li>
 * </ul>
 */
public final class AtomicFiles {

    /** Writes the content through the channel, positioned at 0. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes a complete file at the given (temporary) path, for producers that only take a path. */
    @FunctionalInterface
    public interface PathBody {
        void writeTo(Path temporary) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} via {@code body}. Throws {@link FileAlreadyExistsException} when the
     * target exists and {@code force} is false, and {@link FileSystemException} when it is not a
     * regular file; the existing file is then left untouched.
     */
    public static void write(Path target, boolean force, Body body) throws IOException {
        publish(target, force, (tmp, abs) -> {
            try (FileChannel ch = new OutputChannel(FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING), abs)) {
                body.write(ch);
                ch.force(true);
            }
        });
    }

    /**
     * As {@link #write(Path, boolean, Body)} for a producer that writes a whole file at a path;
     * I/O failures of the producer are reported as failures to write {@code target}.
     */
    public static void writeFile(Path target, boolean force, PathBody body) throws IOException {
        publish(target, force, (tmp, abs) -> {
            try {
                body.writeTo(tmp);
            } catch (CorruptFileException e) {
                throw e;
            } catch (IOException e) {
                throw OutputChannel.named(abs, e);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            } catch (IOException e) {
                throw OutputChannel.named(abs, e);
            }
        });
    }

    /**
     * Refuses, before any work, an output that could not be published: an existing target
     * without {@code force}, a target that is not a regular file (even with {@code force}), and a
     * folder where no file can be created (read-only, no permission: tried by creating and
     * removing a temporary file, which is what the write will do, so it also holds for root on a
     * read-only mount). The folder must exist.
     */
    public static void checkTarget(Path target, boolean force) throws IOException {
        Path abs = target.toAbsolutePath();
        requireReplaceable(abs, force);
        Path tmp = createTemp(abs);
        TempFiles.delete(tmp);
    }

    private interface Writer {
        void write(Path tmp, Path target) throws IOException;
    }

    private static void publish(Path target, boolean force, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        requireReplaceable(abs, force);
        Path tmp = createTemp(abs);
        boolean done = false;
        try {
            writer.write(tmp, abs);
            requireReplaceable(abs, force);
            setMode(tmp, abs);
            try {
                if (force) {
                    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    publishWithoutReplacing(tmp, abs);
                }
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (IOException e) {
                throw OutputChannel.named(abs, e);
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

    /** The temporary file for {@code target}; a folder where none can be created is reported by the target's name. */
    static Path createTemp(Path target) throws IOException {
        Path dir = target.getParent();
        try {
            return TempFiles.create(dir, target.getFileName().toString());
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(target.toString(), null, "cannot create a file in the folder " + dir
                    + " (read-only or not writable by this user)");
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(target.toString(), null, "the folder " + dir + " does not exist");
        } catch (FileSystemException e) {
            throw new FileSystemException(target.toString(), null, "cannot create a file in the folder " + dir + ": "
                    + (e.getReason() != null ? e.getReason() : e.getMessage()));
        }
    }

    /** Refuses a target that exists without {@code force}, or that is anything but a regular file. */
    private static void requireReplaceable(Path target, boolean force) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!force) {
            throw refuse(target);
        }
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            String what = Files.isSymbolicLink(target) ? "a symbolic link" : Files.isDirectory(target,
                    LinkOption.NOFOLLOW_LINKS) ? "a folder" : "not a regular file (a device, pipe or socket)";
            throw new FileSystemException(target.toString(), null, "the output is " + what
                    + "; refusing to replace it even with force: write to a plain file path");
        }
    }

    /**
     * Gives the finished temporary file its final mode: the replaced file's, or what a new file
     * gets in that folder (the umask). Temporary files are created owner-only, whatever the umask.
     */
    private static void setMode(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
            return;
        }
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            mode = TempFiles.defaultMode(tmp.getParent());
        }
        Files.setPosixFilePermissions(tmp, mode);
    }

    private static void publishWithoutReplacing(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw refuse(target);
        } catch (UnsupportedOperationException | IOException e) {
            // File systems without hard links: a plain move, which refuses an existing target.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
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
