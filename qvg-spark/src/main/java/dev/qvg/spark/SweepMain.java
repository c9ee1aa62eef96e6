package dev.qvg.spark;

import dev.qvg.cli.util.FirstLine;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Entry point of {@code qvg sweep} ({@code ./qvg-sweep}, {@code ./qvg sweep}, or the main class for
 * {@code spark-submit}). Exit codes as qvg's: 0 success (skipped inputs are reported, not fatal),
 * 2 bad usage, 1 anything wrong with the input, the output folder or the run; every failure is one
 * line on stderr, {@code --verbose} adds the stack trace.
 */
public final class SweepMain {

    private SweepMain() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(System.out, System.err, args));
    }

    /** Runs {@code args}; returns the exit code. */
    static int run(PrintStream out, PrintStream err, String... args) {
        return run(new SweepCommand(), out, err, args);
    }

    static int run(SweepCommand command, PrintStream out, PrintStream err, String... args) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(command);
        dev.qvg.cli.QuantOptions.addMethodKnobs(cl.getCommandSpec());
        cl.setOut(o);
        cl.setErr(e);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            e.println("qvg sweep: " + FirstLine.of(ex.getMessage()) + " (see 'qvg sweep --help')");
            if (command.verbose) {
                ex.printStackTrace(e);
            }
            e.flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            e.println("qvg sweep: " + describe(ex) + (command.verbose || isInputProblem(ex) ? "" : " (--verbose for the stack trace)"));
            if (command.verbose) {
                ex.printStackTrace(e);
            }
            e.flush();
            return ExitCodes.BAD_INPUT;
        });
        try {
            return cl.execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** One line: the innermost message that says something (Spark wraps a task's failure in its own). */
    static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof UncheckedIOException || t.getMessage() == null) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof NoSuchFileException n) {
            return "no such file: " + n.getFile();
        }
        if (t instanceof BadInputException || t instanceof IllegalArgumentException || t instanceof IOException
                || t.getClass().getName().startsWith("dev.qvg.")) {
            return FirstLine.of(t.getMessage());
        }
        return t.getClass().getSimpleName() + ": " + FirstLine.of(t.getMessage());
    }

    /** Failures that are about what the user gave (a file, a folder, a setting), not a defect or a crash. */
    static boolean isInputProblem(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof UncheckedIOException || t.getMessage() == null) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t instanceof BadInputException || t instanceof IOException || t instanceof IllegalArgumentException;
    }
}
