package dev.qvg.cli;

import dev.qvg.cli.util.FirstLine;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Builds the {@code qvg} command line and maps outcomes to exit codes: 0 success, 2 bad usage
 * (picocli's parameter errors, {@link UsageErrors}), 1 anything wrong with the input or the run.
 * Every failure is one line on stderr; {@code --verbose} adds the stack trace.
 */
public final class QvgCli {

    private QvgCli() {
    }

    /** Runs {@code args} writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            return commandLine(o, e).execute(args);
        } catch (OutOfMemoryError oom) {
            // picocli hands errors (not exceptions) back; they still get one line, not a trace
            e.println(outOfMemory(oom));
            return ExitCodes.BAD_INPUT;
        } catch (InternalError ie) {
            if (!changedWhileRead(ie)) {
                throw ie;
            }
            // qvg-io names the file; this is the last line of defence for a mapped read it does not wrap
            e.println("qvg: a file changed while it was read (truncated by another program?); run again once it is"
                    + " complete" + (Arrays.asList(args).contains("--verbose") ? "" : " (--verbose for the stack trace)"));
            if (Arrays.asList(args).contains("--verbose")) {
                ie.printStackTrace(e);
            }
            return ExitCodes.BAD_INPUT;
        } catch (LinkageError | StackOverflowError fatal) {
            e.println("qvg: internal error: " + fatal + (Arrays.asList(args).contains("--verbose") ? ""
                    : " (run with --verbose for the stack trace)"));
            if (Arrays.asList(args).contains("--verbose")) {
                fatal.printStackTrace(e);
            }
            return ExitCodes.BAD_INPUT;
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** The one line for an out-of-memory error: what to change, streamed commands first. */
    static String outOfMemory(OutOfMemoryError oom) {
        return "qvg: out of memory (" + oom.getMessage() + "); use smaller slice groups (--group-mib 16; compress,"
                + " decompress and eval stream), give Java more with QVG_JAVA_OPTS=-Xmx16g, or use smaller inputs"
                + " (--tensor, fewer heads)";
    }

    /** The JVM's error for a memory-mapped page of a file that was truncated meanwhile (SIGBUS). */
    static boolean changedWhileRead(InternalError e) {
        return String.valueOf(e.getMessage()).contains("unsafe memory access");
    }

    /** The configured command line (for tests that want to look at the parsed commands). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        QvgCommand root = new QvgCommand();
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        for (String name : new String[] {"eval", "compress", "tune", "rollout"}) {
            MethodKnobOptions.addTo(cl.getSubcommands().get(name).getCommandSpec());
        }
        // plan counts bytes: only the knobs that can change them
        MethodKnobOptions.addTo(cl.getSubcommands().get("plan").getCommandSpec(), true);
        // plan counts storage: k-means run settings change the time, never the bytes, so plan does not offer them
        var plan = cl.getSubcommands().get("plan").getCommandSpec();
        for (String runOnly : new String[] {"--iters", "--tol", "--init", "--seed"}) {
            plan.remove(plan.findOption(runOnly));
        }
        // one line, with "did you mean" for a mistyped command or option
        cl.setParameterExceptionHandler((ex, args) -> UsageErrors.report(ex, root.verbose()));
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + describe(ex)
                    + (root.verbose() ? "" : isBug(ex) ? " (run with --verbose for the stack trace)" : ""));
            if (root.verbose()) {
                ex.printStackTrace(c.getErr());
            }
            c.getErr().flush();
            return ExitCodes.BAD_INPUT;
        });
        return cl;
    }

    /** The one-line message of a failure, unwrapping the wrappers that carry no words of their own. */
    static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof UncheckedIOException || t instanceof com.google.inject.ProvisionException
                || t.getMessage() == null) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg;
        if (t instanceof NoSuchFileException n) {
            msg = "no such file: " + n.getFile();
        } else if (t instanceof AccessDeniedException a) {
            msg = "permission denied: " + a.getFile() + (a.getReason() != null ? ": " + a.getReason() : "");
        } else if (t instanceof FileAlreadyExistsException f) {
            msg = "already exists: " + f.getFile() + "; pass --force to overwrite it";
        } else if (t instanceof BadInputException || t instanceof IllegalArgumentException
                || t instanceof IllegalStateException || t instanceof IOException
                || t.getClass().getName().startsWith("dev.qvg.")) {
            msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        } else {
            msg = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        return FirstLine.of(msg);
    }

    /** Exceptions that mean a defect in qvg rather than in what the user gave it. */
    private static boolean isBug(Throwable ex) {
        return ex instanceof NullPointerException || ex instanceof ClassCastException
                || ex instanceof IndexOutOfBoundsException || ex instanceof ArithmeticException;
    }
}
