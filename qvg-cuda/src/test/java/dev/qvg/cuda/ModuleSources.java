package dev.qvg.cuda;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests find qvg-cuda's own files (the CUDA sources, the emulator): the module folder,
 * which is the working directory under Maven, or {@code -Dqvg.cuda.sources=DIR} (the device
 * bundle's launch check runs the tests from elsewhere). On a GPU machine the sources are not
 * shipped, and the tests that need them skip.
 */
final class ModuleSources {

    private ModuleSources() {
    }

    static Path root() {
        return Path.of(System.getProperty("qvg.cuda.sources", "."));
    }

    static Path resolve(String relative) {
        return root().resolve(relative);
    }

    /** Null when {@code relative} exists under the root, else why not. */
    static String missing(String relative) {
        Path p = resolve(relative);
        return Files.exists(p) ? null : "qvg-cuda sources not found (" + p.toAbsolutePath().normalize()
                + "; run from qvg-cuda or pass -Dqvg.cuda.sources=DIR)";
    }
}
