package dev.qvg.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hidden temporary files writers create next to their targets ({@code .NAME.<random>.tmp}),
 * tracked so that a JVM stopped by SIGINT or SIGTERM removes them in its shutdown hook instead of
 * leaving a partial file of up to the output's size behind. (SIGKILL runs no hook; the names stay
 * recognisable by their pattern.)
 */
final class TempFiles {

    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteAll, "qvg-temp-cleanup"));
    }

    private TempFiles() {
    }

    /** A new empty temporary file (mode 0600) in {@code dir} for the output named {@code targetName}. */
    static Path create(Path dir, String targetName) throws IOException {
        Path tmp = Files.createTempFile(dir, "." + targetName + ".", ".tmp");
        LIVE.add(tmp);
        return tmp;
    }

    /** Deletes {@code tmp} if it still exists and stops tracking it. */
    static void delete(Path tmp) throws IOException {
        try {
            Files.deleteIfExists(tmp);
        } finally {
            LIVE.remove(tmp);
        }
    }

    /** Stops tracking {@code tmp} (it was renamed into place). */
    static void forget(Path tmp) {
        LIVE.remove(tmp);
    }

    private static void deleteAll() {
        for (Path p : LIVE) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // Shutting down: nothing better to do than try the others.
            }
        }
    }
}
