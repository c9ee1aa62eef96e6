package dev.qvg.cli.eval;

import java.io.IOException;
import java.util.List;

/**
 * The tensors of an input, opened for streaming: file-backed ones read through an open file
 * until {@link #close()}.
 */
public final class InputTensors implements AutoCloseable {

    private final List<TensorSource> tensors;
    private final AutoCloseable resource;

    InputTensors(List<TensorSource> tensors, AutoCloseable resource) {
        this.tensors = List.copyOf(tensors);
        this.resource = resource;
    }

    /** Tensors already in memory (built-in data): nothing to close. */
    public static InputTensors inMemory(List<NamedTensor> tensors) {
        return new InputTensors(tensors.stream().map(TensorSource::of).toList(), null);
    }

    public List<TensorSource> tensors() {
        return tensors;
    }

    @Override
    public void close() throws IOException {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
