package dev.qvg.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A folder in which no file can be created, even by root (who ignores permission bits):
 * {@code chattr +i} (immutable) where the file system and capabilities allow it, else mode 0555.
 * {@link #close()} undoes it so the test's folder can be deleted.
 */
public final class ReadOnlyDir implements AutoCloseable {

    private final Path dir;
    private final boolean immutable;

    private ReadOnlyDir(Path dir, boolean immutable) {
        this.dir = dir;
        this.immutable = immutable;
    }

    /** Makes {@code dir} read-only; skips the calling test, saying why, where that cannot be done. */
    public static ReadOnlyDir of(Path dir) throws IOException {
        if (chattr("+i", dir)) {
            if (!creatable(dir)) {
                return new ReadOnlyDir(dir, true);
            }
            chattr("-i", dir);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        ReadOnlyDir d = new ReadOnlyDir(dir, false);
        if (creatable(dir)) {
            d.close();
            Claims.skip("cannot make a read-only folder here (root without chattr +i)");
        }
        return d;
    }

    private static boolean creatable(Path dir) {
        try {
            Files.delete(Files.createFile(dir.resolve("probe")));
            return true;
        } catch (IOException e) {
            return false;
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
