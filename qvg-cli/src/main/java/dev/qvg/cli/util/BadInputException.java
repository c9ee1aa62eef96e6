package dev.qvg.cli.util;

/**
 * A problem with what the user gave us (a file, a tensor name, an existing output): exit code 1,
 * reported as one line. Usage errors (unknown option, bad option value) are picocli's
 * {@code ParameterException} instead and exit with 2.
 */
public final class BadInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
