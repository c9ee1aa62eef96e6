package dev.qvg.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One input file of a sweep, as the driver listed it (only its name and metadata: the driver never
 * reads tensor data).
 *
 * @param index   position in the sweep's file list (names its unit folder, {@code units/f00012})
 * @param path    absolute path, the same on every executor (a shared file system on a cluster)
 * @param relPath path relative to its input folder, {@code /}-separated: what layer and prompt are read from
 * @param name    the file as the user would write it: the input folder joined with {@code relPath} (the rows' {@code file})
 * @param size    bytes, for the output folder's record of what it was made from
 * @param mtime   last modification, milliseconds since the epoch, likewise
 */
record InputFile(int index, String path, String relPath, String name, long size, long mtime) implements Serializable {
    InputFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(relPath, "relPath");
        Objects.requireNonNull(name, "name");
    }
}
