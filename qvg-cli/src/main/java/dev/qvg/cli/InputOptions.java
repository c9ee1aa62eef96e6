package dev.qvg.cli;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.eval.InputTensors;
import dev.qvg.cli.eval.NamedTensor;
import dev.qvg.cli.eval.TensorFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Where the tensors come from: a file, which of its tensors, their layout and role. */
public final class InputOptions {

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "A .safetensors or .npy file of K/V tensors.")
    Path input;

    @Option(names = "--tensor", paramLabel = "NAME", split = ",",
            description = "Tensor(s) of the file to use (default: every float tensor).")
    List<String> tensors = new ArrayList<>();

    @Option(names = "--layout", paramLabel = "bhsd|bshd",
            description = "Axis order of rank-3/4 tensors in the file (default: ${DEFAULT-VALUE}).")
    String layout = "bhsd";

    @Option(names = "--role", paramLabel = "k|v",
            description = "Treat every tensor as keys or values (default: guessed from the name; only KIVI cares).")
    String role;

    public boolean hasInput() {
        return input != null;
    }

    public Path input() {
        return input;
    }

    Layout layout(CommandSpec spec) {
        try {
            return Layout.parse(layout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--layout: " + e.getMessage());
        }
    }

    KvRole role(CommandSpec spec) {
        if (role == null) {
            return null;
        }
        try {
            return KvRole.parse(role);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--role: " + e.getMessage());
        }
    }

    /** Checks option values (usage errors) before any file is touched. */
    void validate(CommandSpec spec) {
        layout(spec);
        role(spec);
        if (input == null && !tensors.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--tensor needs --input FILE");
        }
    }

    /** Every chosen tensor loaded whole (for commands that need the whole tensor at once). */
    List<NamedTensor> load(CommandSpec spec) throws IOException {
        return TensorFiles.load(input, tensors, layout(spec), role(spec));
    }

    /** Every chosen tensor opened for streaming, a group of slices at a time (close when done). */
    InputTensors open(CommandSpec spec) throws IOException {
        return TensorFiles.open(input, tensors, layout(spec), role(spec));
    }
}
