package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the K/V tensors a user points at: a {@code .npy} file (told by its magic bytes; one tensor,
 * named after the file) or else a {@code .safetensors} file (every float tensor, or the ones named). Reading and validation
 * are qvg-io's; this class only chooses, names and assigns roles.
 */
public final class TensorFiles {

    private TensorFiles() {
    }

    /**
     * @param names tensors to load, empty for every float tensor of the file
     * @param role  role of every tensor, or {@code null} to guess from each name ({@link Roles})
     */
    public static List<NamedTensor> load(Path file, List<String> names, Layout layout, KvRole role) throws IOException {
        requireFile(file);
        if (KvFiles.isNpy(file)) {
            return NpyFiles.load(file, names, layout, role);
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
            List<String> chosen = choose(file, r, names);
            List<NamedTensor> out = new ArrayList<>();
            for (String n : chosen) {
                out.add(new NamedTensor(n, role != null ? role : Roles.guess(n), r.kvTensor(n, layout)));
            }
            return List.copyOf(out);
        }
    }

    /**
     * As {@link #load}, but the tensors stay in the file and are read a group of slices at a time
     * (memory-mapped): what {@code compress} and {@code eval} use, so an input larger than the heap
     * works. The same choices and refusals as {@link #load}, except that non-finite values are
     * found when their slices are read.
     */
    public static InputTensors open(Path file, List<String> names, Layout layout, KvRole role) throws IOException {
        requireFile(file);
        if (KvFiles.isNpy(file)) {
            return NpyFiles.open(file, names, layout, role);
        }
        SafeTensorsReader r = SafeTensorsReader.open(file);
        try {
            List<TensorSource> out = new ArrayList<>();
            for (String n : choose(file, r, names)) {
                out.add(new TensorSource(n, role != null ? role : Roles.guess(n), r.kvSlices(n, layout)));
            }
            return new InputTensors(out, r);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static void requireFile(Path file) {
        if (!Files.exists(file)) {
            throw new BadInputException("no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + " is a directory, expected a .safetensors or .npy file");
        }
    }

    /** The float tensors of {@code r} to use: every one, or those named (refusing unknown and non-float names). */
    private static List<String> choose(Path file, SafeTensorsReader r, List<String> names) {
        if (QuantizedKvFile.FORMAT.equals(r.metadata().get("qvg.format"))) {
            throw new BadInputException(file + " is a quantized-cache file, not K/V tensors; 'qvg decompress' it"
                    + " first or 'qvg inspect' it");
        }
        List<String> chosen = new ArrayList<>();
        if (names.isEmpty()) {
            for (String n : r.names()) {
                if (isFloat(r.info(n).dtype())) {
                    chosen.add(n);
                }
            }
            if (chosen.isEmpty()) {
                throw new BadInputException(file + ": no float tensor (F32, F16, BF16) in the file");
            }
            return chosen;
        }
        for (String n : names) {
            if (!r.contains(n)) {
                throw new BadInputException(file + ": no tensor named '" + n + "'; the file has: "
                        + String.join(", ", r.names()));
            }
            TensorInfo info = r.info(n);
            if (!isFloat(info.dtype())) {
                throw new BadInputException(file + ": tensor '" + n + "' is " + info.dtype()
                        + ", expected F32, F16 or BF16");
            }
            chosen.add(n);
        }
        return chosen;
    }

    private static boolean isFloat(DType t) {
        return t == DType.F32 || t == DType.F16 || t == DType.BF16;
    }
}
