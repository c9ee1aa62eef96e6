package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.KvSlices;
import java.io.IOException;
import java.util.Objects;

/**
 * One tensor to evaluate or compress, read a group of slices at a time: its name (in the file,
 * or {@code k}/{@code v} for built-in data), role and slices. File inputs are memory-mapped and
 * never loaded whole, so a tensor larger than the heap can be streamed.
 */
public record TensorSource(String name, KvRole role, KvSlices slices) {

    public TensorSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(slices, "slices");
    }

    /** A tensor already in memory. */
    public static TensorSource of(NamedTensor t) {
        return new TensorSource(t.name(), t.role(), KvSlices.of(t.tensor()));
    }

    public KvShape shape() {
        return slices.shape();
    }

    /** The whole tensor in BHSD (for the few uses that need it at once, such as attention error). */
    public KvTensor readAll() throws IOException {
        KvShape s = shape();
        float[] all = new float[s.numel()];
        slices.read(0, s.slices(), all);
        return KvTensor.wrap(s, all);
    }
}
