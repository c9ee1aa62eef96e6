package dev.qvg.cli.util;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress indicator on stderr, redrawn in place with a carriage return. It is off with
 * {@code --quiet} and when there is no terminal ({@code System.console() == null}: output piped or
 * redirected, tests), so logs and captured output never fill with redraws.
 */
public final class Progress implements AutoCloseable {

    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private int total = 1;
    private int done;
    private String task = "";
    private int lastWidth;

    private Progress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** On only when not quiet and a terminal is attached. */
    public static Progress forTerminal(PrintWriter err, boolean quiet) {
        return new Progress(err, !quiet && System.console() != null);
    }

    /** A progress line that draws nothing. */
    public static Progress off() {
        return new Progress(new PrintWriter(java.io.Writer.nullWriter()), false);
    }

    public boolean enabled() {
        return enabled;
    }

    /** Starts a new task of {@code steps} steps. */
    public void start(String taskName, int steps) {
        this.task = taskName;
        this.total = Math.max(1, steps);
        this.done = 0;
        draw("");
    }

    /** Says what is being worked on now, without advancing. */
    public void working(String what) {
        draw(what);
    }

    /** One step finished. */
    public void step(String what) {
        done = Math.min(total, done + 1);
        draw(what);
    }

    private void draw(String what) {
        if (!enabled) {
            return;
        }
        int filled = (int) ((long) BAR * done / total);
        double secs = (System.nanoTime() - startNanos) / 1e9;
        String line = String.format(Locale.ROOT, "%s [%s%s] %d/%d %5.1fs %s", task, "#".repeat(filled),
                ".".repeat(BAR - filled), done, total, secs, what);
        if (line.length() > 110) {
            line = line.substring(0, 110);
        }
        int pad = Math.max(0, lastWidth - line.length());
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        lastWidth = line.length();
    }

    /** Clears the line so the next output starts clean. */
    @Override
    public void close() {
        if (enabled && lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
            lastWidth = 0;
        }
    }
}
