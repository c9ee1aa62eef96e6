package dev.qvg.api;

/**
 * Argument checks shared by every public entry point. A missing argument is a bad argument: it
 * gets an {@link IllegalArgumentException} naming the parameter, like every other bad input,
 * rather than a bare {@link NullPointerException} from deep inside a kernel.
 */
public final class Args {

    private Args() {
    }

    /** Returns {@code value}, or throws {@code IllegalArgumentException("<name>: must not be null")}. */
    public static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        return value;
    }
}
