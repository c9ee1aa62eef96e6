package dev.qvg.cli;

import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.Progress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code qvg} command: global options and the list of subcommands. */
@Command(name = "qvg", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Quant VideoGen on the JVM: 2-bit KV-cache quantization for auto-regressive video models.",
        subcommands = {EvalCommand.class, CompressCommand.class, DecompressCommand.class, InspectCommand.class,
            BackendsCommand.class, ConformanceCommand.class, PlanCommand.class, RolloutCommand.class,
            TuneCommand.class},
        footer = {"", "Exit codes: 0 success, 1 bad input, 2 bad usage.", "Start with: qvg eval"})
public final class QvgCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private boolean verbose;
    private boolean quiet;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    void setVerbose(boolean v) {
        this.verbose = v;
    }

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "No progress line on stderr.")
    void setQuiet(boolean q) {
        this.quiet = q;
    }

    /** Each command line starts without a progress request ({@link Progress#request}). */
    public QvgCommand() {
        Progress.request(null);
    }

    @Option(names = "--progress", scope = ScopeType.INHERIT,
            description = "Progress with ETA on stderr even when it is not a terminal (a line every "
                    + Progress.LOG_SECONDS + " s and one at the end); by default only on a terminal."
                    + " Also QVG_PROGRESS=always|never.")
    void setProgress(boolean p) {
        Progress.request(p ? Progress.Mode.ALWAYS : null);
    }

    public boolean verbose() {
        return verbose;
    }

    public boolean quiet() {
        return quiet;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("qvg: missing command (see 'qvg --help'); start with 'qvg eval'");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
