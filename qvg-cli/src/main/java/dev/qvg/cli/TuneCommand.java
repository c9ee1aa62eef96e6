package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.cli.eval.NamedTensor;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.Progress;
import dev.qvg.cli.util.SafeOutput;
import dev.qvg.tools.tune.SearchSpace;
import dev.qvg.tools.tune.TuneResult;
import dev.qvg.tools.tune.TuneTarget;
import dev.qvg.tools.tune.TunedConfigFile;
import dev.qvg.tools.tune.Tuner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qvg tune}: per tensor of a file, the PRQ configuration (bits, stages, clusters) with the
 * fewest bits per value whose measured error meets a target (qvg-residual's {@code Tuner}),
 * printed with its error and bits, and optionally written as a config file
 * ({@code TunedConfigFile}, JSON) that the streaming cache and Java callers read back.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Find the fewest bits per value that meet an error target on the tensors of a file.",
        footer = {"", "Example:", "  qvg tune --input kv.safetensors --target-snr-db 20 --output tuned.json"})
public final class TuneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    QvgCommand root;

    @Mixin
    InputOptions input = new InputOptions();

    @Option(names = "--target-snr-db", paramLabel = "DB", description = "Reach at least this SNR in dB.")
    Double targetSnrDb;

    @Option(names = "--target-rel-l2", paramLabel = "E", description = "Reach at most this relative L2 error (0 < E < 1).")
    Double targetRelL2;

    @Option(names = {"-m", "--method"}, paramLabel = "M",
            description = "Method whose settings are searched (default: the highest-ranked on the class path, prq).")
    String method;

    @Option(names = "--search-bits", paramLabel = "N", split = ",",
            description = "Code bits to try (default: ${DEFAULT-VALUE}).")
    List<Integer> searchBits = new ArrayList<>(dev.qvg.tools.tune.SearchSpace.DEFAULT_BITS);

    @Option(names = "--search-stages", paramLabel = "S", split = ",",
            description = "Smoothing stages to try, 0 = none, for methods whose stage count is a setting (default: ${DEFAULT-VALUE}).")
    List<Integer> searchStages = new ArrayList<>(dev.qvg.tools.tune.SearchSpace.DEFAULT_STAGES);

    @Option(names = "--search-clusters", paramLabel = "K", split = ",",
            description = "Clusters per stage to try (default: ${DEFAULT-VALUE}).")
    List<Integer> searchClusters = new ArrayList<>(dev.qvg.tools.tune.SearchSpace.DEFAULT_CLUSTERS);

    @Mixin
    QuantOptions quant = new QuantOptions();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the chosen configs as a JSON config file.")
    Path output;

    @Option(names = "--force", description = "Overwrite the output file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        input.validate(spec);
        if (!input.hasInput()) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--input=FILE'");
        }
        if ((targetSnrDb == null) == (targetRelL2 == null)) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --target-snr-db and --target-rel-l2");
        }
        TuneTarget target;
        SearchSpace space;
        quant.refuseKvSplit(spec, "tune");
        QuantizerConfig base = quant.suite(spec, method == null ? null : List.of(method), List.of(searchBits.isEmpty() ? 2 : searchBits.get(0)),
                List.of(searchStages.isEmpty() ? 1 : searchStages.get(0))).get(0);
        try {
            target = targetSnrDb != null ? TuneTarget.snrDb(targetSnrDb) : TuneTarget.relL2(targetRelL2);
            space = new SearchSpace(base, searchBits, searchStages, searchClusters);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (output != null) {
            SafeOutput.checkWritable(output, force, input.input());
        }
        List<NamedTensor> tensors = input.load(spec);
        Tuner tuner = Tuner.withRegistry();
        List<TuneResult> results = new ArrayList<>();
        PrintWriter out = spec.commandLine().getOut();
        try (Progress progress = Progress.forTerminal(spec.commandLine().getErr(), root != null && root.quiet())) {
            progress.start("tune", tensors.size());
            for (NamedTensor t : tensors) {
                progress.working(t.name());
                results.add(tuner.tune(t.name(), t.tensor().toBhsd(), t.role(), target, space));
                progress.step(t.name());
            }
        }
        out.println("tuned " + input.input() + " for " + target + " over " + space.candidates().size()
                + " candidates (bits " + searchBits + ", stages " + searchStages + ", clusters " + searchClusters + ")");
        boolean allMet = true;
        for (TuneResult r : results) {
            out.println("  " + r.summary());
            allMet &= r.met();
        }
        if (output != null) {
            SafeOutput.write(output, force, temp -> TunedConfigFile.write(temp, results));
            out.printf(Locale.ROOT, "wrote %s%n", output);
        }
        out.flush();
        if (!allMet) {
            // The results are printed (and written) anyway; the exit code tells a script the target was missed.
            spec.commandLine().getErr().println("qvg tune: no candidate met " + target
                    + " for some tensors; widen the search (--search-bits, --search-stages, --search-clusters)");
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.OK;
    }
}
