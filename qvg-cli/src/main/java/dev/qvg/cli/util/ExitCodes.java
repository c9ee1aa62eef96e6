package dev.qvg.cli.util;

/** The process exit codes every {@code qvg} command uses. */
public final class ExitCodes {

    /** Success. */
    public static final int OK = 0;
    /** Bad input: unreadable or hostile file, missing tensor, existing output without --force, failed check. */
    public static final int BAD_INPUT = 1;
    /** Bad usage: unknown option or command, bad option value, missing required option. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
