package dev.qvg.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One reusable scratch file per thread for fuzz inputs: the readers take a {@link Path}, so every
 * input is written to disk first. {@code /dev/shm} (memory) is used where it exists, because a
 * fuzzing run writes this file millions of times.
 */
final class Scratch {

    private static final Path DIR = createDir();
    private static final ThreadLocal<Path> FILE = ThreadLocal.withInitial(() -> {
        Path p = DIR.resolve("input-" + Thread.currentThread().getId() + ".bin");
        p.toFile().deleteOnExit();
        return p;
    });

    private Scratch() {
    }

    private static Path createDir() {
        Path shm = Path.of("/dev/shm");
        try {
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            Path dir = Files.createTempDirectory(base, "qvg-reliability-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory for fuzz inputs", e);
        }
    }

    /** Writes {@code data} to this thread's scratch file and returns its path. */
    static Path write(byte[] data) {
        Path p = FILE.get();
        try {
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the scratch file " + p, e);
        }
        return p;
    }

    /** The directory holding the scratch files (for leak checks against /proc/self/maps). */
    static Path dir() {
        return DIR;
    }
}
