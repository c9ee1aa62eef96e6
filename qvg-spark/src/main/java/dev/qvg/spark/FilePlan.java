package dev.qvg.spark;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.eval.InputTensors;
import dev.qvg.cli.eval.TensorFiles;
import dev.qvg.cli.eval.TensorSource;
import dev.qvg.cli.util.BadInputException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an executor found in one input file: its float tensors (name, role, shape) from the header
 * alone, or why the file cannot be used. The first stage of a sweep; no tensor data is read.
 *
 * @param tensors the tensors to sweep, in file order (those named by {@code --tensor} when given)
 * @param missing names given with {@code --tensor} that the file lacks
 * @param error   why the whole file is skipped, or null
 */
record FilePlan(int file, List<TensorPlan> tensors, List<String> missing, String error) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One tensor of a file: its name, {@code k} or {@code v}, and {@code [B, H, S, D]}. */
    record TensorPlan(String name, String role, int[] shape) implements Serializable {
        private static final long serialVersionUID = 1L;

        int slices() {
            return shape[0] * shape[1];
        }
    }

    FilePlan {
        tensors = List.copyOf(tensors);
        missing = List.copyOf(missing);
    }

    /** Reads the header of {@code f} (on an executor). */
    static FilePlan of(InputFile f, List<String> names, String layout, String role) {
        KvRole r = role == null ? null : KvRole.parse(role);
        try (InputTensors in = TensorFiles.open(Path.of(f.path()), List.of(), Layout.parse(layout), r)) {
            List<TensorPlan> out = new ArrayList<>();
            List<String> present = new ArrayList<>();
            for (TensorSource t : in.tensors()) {
                present.add(t.name());
                if (names.isEmpty() || names.contains(t.name())) {
                    KvShape s = t.shape();
                    out.add(new TensorPlan(t.name(), t.role() == KvRole.KEY ? "k" : "v",
                            new int[] {s.batch(), s.heads(), s.tokens(), s.headDim()}));
                }
            }
            List<String> missing = names.stream().filter(n -> !present.contains(n)).toList();
            if (out.isEmpty()) {
                return new FilePlan(f.index(), List.of(), missing, "none of the tensors " + String.join(", ", names)
                        + "; the file has: " + String.join(", ", present));
            }
            return new FilePlan(f.index(), out, missing, null);
        } catch (BadInputException | IllegalArgumentException | IOException | UncheckedIOException e) {
            String why = UnitRunner.reasonOf(e);
            // qvg's messages usually start with the file's path: the report names the file already
            if (why.startsWith(f.path() + ": ")) {
                why = why.substring(f.path().length() + 2);
            }
            return new FilePlan(f.index(), List.of(), List.of(), why.isEmpty() ? "unreadable" : why);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "file %d: %s", file, error != null ? error : tensors.size() + " tensors");
    }
}
