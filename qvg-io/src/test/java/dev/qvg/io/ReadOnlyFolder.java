package dev.qvg.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes a folder in which no file can be created, even by root (who ignores permission bits):
 * {@code chattr +i} (immutable) where the file system and capabilities allow it, else mode 0555.
 * {@link #close()} undoes it so the test's folder can be deleted.
 */
public final class ReadOnlyFolder implements AutoCloseable {

    private final Path dir;
    private final boolean immutable;

    private ReadOnlyFolder(Path dir, boolean immutable) {
        this.dir = dir;
        this.immutable = immutable;
    }

    /** Makes {@code dir} read-only; skips the calling test (assumption) where that cannot be done. */
    public static ReadOnlyFolder of(Path dir) throws Exception {
        if (chattr("+i", dir)) {
            if (cannotCreateIn(dir)) {
                return new ReadOnlyFolder(dir, true);
            }
            chattr("-i", dir);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        ReadOnlyFolder f = new ReadOnlyFolder(dir, false);
        if (!cannotCreateIn(dir)) {
            f.close();
            Assumptions.abort("cannot make a read-only folder here (root without chattr +i)");
        }
        return f;
    }

    private static boolean cannotCreateIn(Path dir) {
        Path probe = dir.resolve("probe");
        try {
            Files.createFile(probe);
            Files.delete(probe);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean chattr(String flag, Path dir) {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        if (immutable) {
            chattr("-i", dir);
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
