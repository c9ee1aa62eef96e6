package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.io.MappedKvSlices;
import dev.qvg.io.Npy;
import dev.qvg.io.ReadLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A {@code .npy} file holds one tensor; it is named after the file ({@code keys.npy} gives {@code keys}). */
final class NpyFiles {

    private NpyFiles() {
    }

    static List<NamedTensor> load(Path file, List<String> names, Layout layout, KvRole role) throws IOException {
        String name = name(file, names);
        return List.of(new NamedTensor(name, role != null ? role : Roles.guess(name), Npy.readKv(file, layout)));
    }

    /** The file's tensor opened for streaming (memory-mapped, read a group of slices at a time). */
    static InputTensors open(Path file, List<String> names, Layout layout, KvRole role) throws IOException {
        String name = name(file, names);
        MappedKvSlices m = MappedKvSlices.npy(file, layout, ReadLimits.defaults());
        return new InputTensors(List.of(new TensorSource(name, role != null ? role : Roles.guess(name), m)), m);
    }

    /** The tensor's name (the file's, without extension), refusing a --tensor that names another. */
    private static String name(Path file, List<String> names) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        name = dot > 0 ? name.substring(0, dot) : name;
        if (!names.isEmpty() && !(names.size() == 1 && names.get(0).equals(name))) {
            throw new BadInputException(file + ": a .npy file holds one tensor, named '" + name + "' after the file; got --tensor "
                    + String.join(",", names));
        }
        return name;
    }
}
