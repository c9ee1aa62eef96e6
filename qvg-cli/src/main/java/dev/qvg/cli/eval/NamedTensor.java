package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import java.util.Objects;

/** One tensor to evaluate: its name (in the file, or {@code k}/{@code v} for built-in data), role and data. */
public record NamedTensor(String name, KvRole role, KvTensor tensor) {
    public NamedTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(tensor, "tensor");
    }
}
