package dev.qvg.io;

import java.io.IOException;
import java.nio.file.Path;

/** Short names for the safetensors entry points: {@code try (var r = SafeTensors.read(path)) { ... }}. */
public final class SafeTensors {

    private SafeTensors() {
    }

    /** {@link SafeTensorsReader#open(Path)}: validates the header; close the reader when done. */
    public static SafeTensorsReader read(Path path) throws IOException {
        return SafeTensorsReader.open(path);
    }

    public static SafeTensorsReader read(Path path, ReadLimits limits) throws IOException {
        return SafeTensorsReader.open(path, limits);
    }

    /** A new, empty {@link SafeTensorsWriter}. */
    public static SafeTensorsWriter writer() {
        return new SafeTensorsWriter();
    }
}
