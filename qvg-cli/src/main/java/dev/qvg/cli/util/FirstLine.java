package dev.qvg.cli.util;

/** qvg's one-line messages: a failure is reported on one line, the first of its message. */
public final class FirstLine {

    private FirstLine() {
    }

    /** The first line of {@code s}, stripped; empty for null. */
    public static String of(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
