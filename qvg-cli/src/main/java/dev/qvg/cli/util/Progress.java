package dev.qvg.cli.util;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long job on stderr: done so far, elapsed time and an estimate of the time left
 * (ETA), for jobs that advance a unit of work at a time (a group of (batch, head) slices, a
 * tensor, a configuration). Work may be weighted ({@link #advance(long, String)}: the values of a
 * group), so the estimate holds when units differ in size.
 *
 * <p>When it draws ({@link Mode}): {@code auto} (the default) only when stderr is a terminal,
 * as one line redrawn in place with a carriage return, at most every {@value #REDRAW_MILLIS} ms;
 * {@code always} (the root option {@code --progress}, or {@code QVG_PROGRESS=always}) also when
 * stderr is a file or a pipe, then as a whole line at most every {@value #LOG_SECONDS} s and a
 * last line when the job ends, so a log gets a few lines, not thousands of redraws; {@code never}
 * ({@code -q}/{@code --quiet}, or {@code QVG_PROGRESS=never}). {@code --quiet} wins over both.
 *
 * <p>"stderr is a terminal" means: the writer is the process's own stderr (the {@code qvg}
 * executable's, {@link #attachProcessStderr}; a writer a test or an embedding program passes is
 * never drawn on unless asked) and file descriptor 2 is a terminal: the launcher's
 * {@code -Dqvg.stderr.tty=true|false} ({@code [ -t 2 ]}), else where {@code /proc/self/fd/2}
 * points (Linux), else {@code System.console() != null}.
 */
public final class Progress implements AutoCloseable {

    /** When to draw. */
    public enum Mode {
        /** Only on a terminal. */
        AUTO,
        /** Also to a file or pipe, as occasional whole lines. */
        ALWAYS,
        /** Never. */
        NEVER;

        /** {@code auto}, {@code always} (or {@code 1}, {@code true}, {@code on}), {@code never} (or {@code 0}, {@code false}, {@code off}). */
        public static Mode parse(String s) {
            switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "auto": case "": return AUTO;
                case "always": case "1": case "true": case "on": case "yes": return ALWAYS;
                case "never": case "0": case "false": case "off": case "no": return NEVER;
                default: throw new IllegalArgumentException("unknown progress mode '" + s + "', expected auto, always or never");
            }
        }
    }

    static final int BAR = 20;
    static final long REDRAW_MILLIS = 200;
    /** Seconds between the lines of a log ({@link Mode#ALWAYS} when stderr is not a terminal). */
    public static final long LOG_SECONDS = 10;
    private static final int WIDTH = 110;

    /** The mode the root command's {@code --progress} asked for, for commands parsed on this thread. */
    private static final ThreadLocal<Mode> REQUESTED = new ThreadLocal<>();
    /** Whether the commands' stderr is the process's own (set by the executable's main). */
    private static volatile boolean processStderr;

    private final PrintWriter err;
    private final boolean enabled;
    /** Redraw one line in place (a terminal) rather than print whole lines (a log). */
    private final boolean inPlace;
    private final LongSupplier nanos;
    private long total = 1;
    private long done;
    private long taskStart;
    private String task = "";
    private String what = "";
    private int lastWidth;
    /** When a line was last drawn (the task's start before any). */
    private long lastDraw;
    /** Whether a log got the task's last line. */
    private boolean endDrawn;

    Progress(PrintWriter err, boolean enabled, boolean inPlace, LongSupplier nanos) {
        this.err = err;
        this.enabled = enabled;
        this.inPlace = inPlace;
        this.nanos = nanos;
        this.taskStart = nanos.getAsLong();
        this.lastDraw = taskStart;
    }

    /**
     * The progress line for a command writing to {@code err}: off with {@code quiet}, else as
     * {@code --progress} or {@code QVG_PROGRESS} ask ({@link Mode}), on a terminal by default.
     */
    public static Progress forTerminal(PrintWriter err, boolean quiet) {
        Mode mode = quiet ? Mode.NEVER : requestedMode();
        boolean terminal = processStderr && stderrIsTerminal();
        return new Progress(err, enabled(mode, terminal), terminal, System::nanoTime);
    }

    /** A progress line that draws nothing. */
    public static Progress off() {
        return new Progress(new PrintWriter(java.io.Writer.nullWriter()), false, false, System::nanoTime);
    }

    /** Whether a progress line is drawn in {@code mode} when stderr {@code terminal} is one. */
    static boolean enabled(Mode mode, boolean terminal) {
        return mode == Mode.ALWAYS || (mode == Mode.AUTO && terminal);
    }

    /**
     * Asks for {@code mode} for the commands that run on this thread (the root command's
     * {@code --progress}); null forgets the request (each command line starts afresh).
     */
    public static void request(Mode mode) {
        if (mode == null) {
            REQUESTED.remove();
        } else {
            REQUESTED.set(mode);
        }
    }

    /** The root option's request, else {@code QVG_PROGRESS}, else {@code auto}. */
    static Mode requestedMode() {
        Mode m = REQUESTED.get();
        if (m != null) {
            return m;
        }
        String env = System.getenv("QVG_PROGRESS");
        try {
            return env == null ? Mode.AUTO : Mode.parse(env);
        } catch (IllegalArgumentException e) {
            return Mode.AUTO; // a progress setting never stops a job
        }
    }

    /** Says that commands write their errors to the process's own stderr (the executable's main does). */
    public static void attachProcessStderr() {
        processStderr = true;
    }

    /** Whether file descriptor 2 is a terminal (see the class comment). */
    static boolean stderrIsTerminal() {
        String given = System.getProperty("qvg.stderr.tty");
        if (given != null) {
            return given.equalsIgnoreCase("true") || given.equals("1");
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** Starts a new task of {@code steps} equal steps. */
    public void start(String taskName, int steps) {
        start(taskName, (long) steps);
    }

    /** Starts a new task of {@code work} units of work (steps, or values when steps differ in size). */
    public void start(String taskName, long work) {
        this.task = taskName;
        this.total = Math.max(1, work);
        this.done = 0;
        this.what = "";
        this.taskStart = nanos.getAsLong();
        this.lastDraw = taskStart;
        this.endDrawn = false;
        draw(true);
    }

    /** Says what is being worked on now, without advancing. */
    public void working(String now) {
        this.what = now;
        draw(false);
    }

    /** One unit of work finished. */
    public void step(String now) {
        advance(1, now);
    }

    /** {@code work} units finished; {@code now} says what (the last piece done, or the next). */
    public void advance(long work, String now) {
        done = Math.min(total, done + Math.max(0, work));
        this.what = now;
        draw(done == total);
    }

    /** Seconds left at the rate so far, or -1 before anything is done. */
    double etaSeconds() {
        double elapsed = (nanos.getAsLong() - taskStart) / 1e9;
        if (done == 0 || elapsed <= 0) {
            return -1;
        }
        return elapsed * (total - done) / done;
    }

    /** The line as drawn now. */
    String line() {
        int filled = (int) ((double) BAR * done / total);
        long pct = Math.round(100.0 * done / total);
        double elapsed = (nanos.getAsLong() - taskStart) / 1e9;
        double eta = etaSeconds();
        String time = done == total ? "done in " + clock(elapsed)
                : clock(elapsed) + (eta < 0 ? ", ETA --:--" : ", ETA " + clock(eta));
        String line = String.format(Locale.ROOT, "%s [%s%s] %3d%% %s  %s", task, "#".repeat(filled), ".".repeat(BAR - filled),
                pct, time, what).stripTrailing();
        return line.length() > WIDTH ? line.substring(0, WIDTH) : line;
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
    static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private void draw(boolean force) {
        if (!enabled) {
            return;
        }
        long now = nanos.getAsLong();
        if (inPlace) {
            if (!force && now - lastDraw < REDRAW_MILLIS * 1_000_000L) {
                return;
            }
            String line = line();
            err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        } else if (done == total) {
            if (endDrawn) {
                return;
            }
            endDrawn = true;
            err.println(line());
        } else {
            // a log: nothing at the start, then at most one line a period, and the end
            if (now - lastDraw < LOG_SECONDS * 1_000_000_000L) {
                return;
            }
            err.println(line());
        }
        err.flush();
        lastDraw = now;
    }

    /** Clears the line so the next output starts clean (a terminal); a log keeps its lines. */
    @Override
    public void close() {
        if (enabled && inPlace && lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
            lastWidth = 0;
        }
    }
}
