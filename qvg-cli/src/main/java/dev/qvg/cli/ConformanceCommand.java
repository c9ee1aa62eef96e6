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
 * {@code qvg conformance --backend NAME} (or {@code --clusterer}, {@code --smoother},
 * {@code --residual}, {@code --method}): runs qvg-tck's conformance kit for that SPI against the
 * named provider on the classpath (put a third-party jar beside qvg.jar with {@code java -cp})
 * and prints the pass/fail table. Exit code 0 when it passes, 1 when any test fails.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the conformance kit against a provider and print a pass/fail table.",
            "A provider in another jar: java -cp qvg.jar:their.jar dev.qvg.cli.Main conformance --method NAME"},
        footer = {"", "Exit codes: 0 the provider passes, 1 it fails (or cannot run here), 2 bad usage."})
public final class ConformanceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Exactly one provider to check. */
    static final class Subject {
        @Option(names = "--backend", paramLabel = "NAME", description = "A backend provider (the backend kit).")
        String backend;

        @Option(names = "--clusterer", paramLabel = "NAME", description = "A clusterer provider (the clusterer kit).")
        String clusterer;

        @Option(names = "--smoother", paramLabel = "NAME", description = "A smoother provider (the smoother kit).")
        String smoother;

        @Option(names = "--residual", paramLabel = "NAME", description = "A residual-quantizer provider (its kit).")
        String residual;

        @Option(names = "--method", paramLabel = "NAME",
                description = "A method (whole quantizer) provider, with its default knobs on the reference backend.")
        String method;
    }

    @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Subject subject;

    @Option(names = "--seed", paramLabel = "S",
            description = "Master seed of the randomized inputs (default: a random one, printed; pass it back to repeat a run).")
    String seed;

    @Option(names = "--multiplier", paramLabel = "M", description = "Test size multiplier (default: ${DEFAULT-VALUE}).")
    double multiplier = 1.0;

    @Option(names = "--slow", description = "Also run the slower tier.")
    boolean slow;

    @Override
    public Integer call() {
        String backend = subject.backend;
        ConformanceRunner.Kind kind = subject.clusterer != null ? ConformanceRunner.Kind.CLUSTERER
                : subject.smoother != null ? ConformanceRunner.Kind.SMOOTHER
                : subject.residual != null ? ConformanceRunner.Kind.RESIDUAL
                : subject.method != null ? ConformanceRunner.Kind.METHOD : null;
        String name = kind == null ? backend : kind == ConformanceRunner.Kind.CLUSTERER ? subject.clusterer
                : kind == ConformanceRunner.Kind.SMOOTHER ? subject.smoother
                : kind == ConformanceRunner.Kind.RESIDUAL ? subject.residual : subject.method;
        if (kind == null && !Qvg.backends().contains(backend)) {
            throw new ParameterException(spec.commandLine(), "unknown backend '" + backend + "'; available: "
                    + String.join(", ", Qvg.backends().list().stream().map(p -> p.name()).toList()));
        }
        if (kind != null && !kind.registered(name)) {
            throw new ParameterException(spec.commandLine(), "unknown " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " '" + name + "'");
        }
        ConformanceRunner.Options options;
        try {
            Long s = seed == null ? null : TckSettings.parseSeed(seed);
            options = new ConformanceRunner.Options(s, multiplier, slow);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ConformanceReport report = kind == null ? ConformanceRunner.run(backend, options)
                : ConformanceRunner.runProvider(kind, name, options);
        spec.commandLine().getOut().print(report.table());
        spec.commandLine().getOut().flush();
        if (!report.passed()) {
            List<ConformanceReport.Entry> f = report.failures();
            spec.commandLine().getErr().println("qvg conformance: " + report.kind() + " '" + name + "' fails "
                    + f.size() + " test(s)" + (f.isEmpty() ? " (none ran)" : ""));
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.OK;
    }
}
