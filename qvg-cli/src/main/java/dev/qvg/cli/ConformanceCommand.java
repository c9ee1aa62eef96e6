package dev.qvg.cli;

import dev.qvg.api.registry.Qvg;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.tck.ConformanceReport;
import dev.qvg.tck.ConformanceRunner;
import dev.qvg.tck.TckSettings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qvg conformance --backend NAME}: runs qvg-tck's conformance kit against a backend on the
 * classpath (put a third-party jar beside qvg.jar with {@code java -cp}) and prints the pass/fail
 * table. Exit code 0 when it passes, 1 when any test fails.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the conformance kit against a backend and print a pass/fail table.",
            "A backend in another jar: java -cp qvg.jar:their-backend.jar dev.qvg.cli.Main conformance --backend NAME"},
        footer = {"", "Exit codes: 0 the backend passes, 1 it fails (or cannot run here), 2 bad usage."})
public final class ConformanceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", required = true, paramLabel = "NAME", description = "The backend provider to check.")
    String backend;

    @Option(names = "--seed", paramLabel = "S",
            description = "Master seed of the randomized inputs (default: a random one, printed; pass it back to repeat a run).")
    String seed;

    @Option(names = "--multiplier", paramLabel = "M", description = "Test size multiplier (default: ${DEFAULT-VALUE}).")
    double multiplier = 1.0;

    @Option(names = "--slow", description = "Also run the slower tier.")
    boolean slow;

    @Override
    public Integer call() {
        if (!Qvg.backends().contains(backend)) {
            throw new ParameterException(spec.commandLine(), "unknown backend '" + backend + "'; available: "
                    + String.join(", ", Qvg.backends().list().stream().map(p -> p.name()).toList()));
        }
        ConformanceRunner.Options options;
        try {
            Long s = seed == null ? null : TckSettings.parseSeed(seed);
            options = new ConformanceRunner.Options(s, multiplier, slow);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ConformanceReport report = ConformanceRunner.run(backend, options);
        spec.commandLine().getOut().print(report.table());
        spec.commandLine().getOut().flush();
        if (!report.passed()) {
            List<ConformanceReport.Entry> f = report.failures();
            spec.commandLine().getErr().println("qvg conformance: backend '" + backend + "' fails "
                    + f.size() + " test(s)" + (f.isEmpty() ? " (none ran)" : ""));
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.OK;
    }
}
