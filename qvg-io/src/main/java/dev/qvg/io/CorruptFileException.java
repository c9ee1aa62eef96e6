package dev.qvg.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not what its format promises: a header length beyond the file, bad JSON,
 * offsets out of range, an unknown dtype, truncated data, a checksum mismatch, non-finite values.
 *
 * <p>It extends {@link IOException} on purpose: the problem lies in the bytes on disk, not in the
 * caller's arguments, so callers that already handle I/O failures (the CLI maps both to exit
 * code 1, "bad input") need no second catch. The message always starts with the file and names
 * the part that is wrong, e.g. {@code "/tmp/x.safetensors: tensor 'k': data_offsets [0, 12]
 * hold 12 bytes but F32 x [2, 2] needs 16"}.
 */
public class CorruptFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String part;

    public CorruptFileException(Path file, String part, String problem) {
        super(file + ": " + part + ": " + problem);
        this.file = file;
        this.part = part;
    }

    public CorruptFileException(Path file, String part, String problem, Throwable cause) {
        super(file + ": " + part + ": " + problem, cause);
        this.file = file;
        this.part = part;
    }

    /**
     * A refusal of {@code part} of {@code file} with the message of {@code cause}, which is not
     * repeated when it already starts with the part ("tensor 'k': tensor 'k': ..." otherwise).
     */
    static CorruptFileException of(Path file, String part, Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        String problem = m.startsWith(part + ": ") ? m.substring(part.length() + 2) : m;
        return new CorruptFileException(file, part, problem, cause);
    }

    /** The file that was refused. */
    public Path file() {
        return file;
    }

    /** The part of the file that is wrong: "header", "tensor 'k'", "checksum of 'codes'", ... */
    public String part() {
        return part;
    }
}
