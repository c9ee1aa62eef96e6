package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.cli.eval.AttentionProbe;
import dev.qvg.cli.eval.DrawnQueryAttention;
import dev.qvg.cli.eval.EvalResult;
import dev.qvg.cli.eval.Evaluator;
import dev.qvg.cli.eval.MethodLabels;
import dev.qvg.cli.eval.InputTensors;
import dev.qvg.cli.eval.NamedTensor;
import dev.qvg.cli.eval.RateDistortionPlot;
import dev.qvg.cli.eval.ResultJson;
import dev.qvg.cli.eval.ResultTable;
import dev.qvg.cli.eval.ModelSpanBudgets;
import dev.qvg.cli.eval.Suite;
import dev.qvg.cli.eval.TensorFiles;
import dev.qvg.cli.eval.Summary;
import dev.qvg.cli.eval.TensorSource;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.GroupOptions;
import dev.qvg.cli.util.Progress;
import dev.qvg.cli.util.SafeOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qvg eval}: quantizes tensors with a suite of methods and reports error, storage and time
 * as a table or JSON lines, plus a rate-distortion plot. With no arguments it runs RTN, KIVI, SAS
 * and PRQ (1, 2, 4 stages) at 2 and 4 bits on the built-in video-like data.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantize K/V tensors with several methods and compare error, storage and time.",
            "With no options: built-in video-like data; RTN, KIVI, SAS and PRQ (1, 2, 4 stages) at 2 and 4 bits."},
        footer = {"", "Examples:", "  qvg eval", "  qvg eval --input kv.safetensors --tensor k --method prq --bits 2 --stages 1",
            "  qvg eval --input kv.safetensors --format json > results.jsonl", "  qvg eval --compare example",
            "  qvg eval --input kv.safetensors --config tuned.json   (after qvg tune)"})
public final class EvalCommand implements Callable<Integer> {

    /** Label of the rows a tuned configuration file adds. */
    static final String TUNED = "tuned";

    @Spec
    CommandSpec spec;

    @ParentCommand
    QvgCommand root;

    @Mixin
    InputOptions input = new InputOptions();

    @ArgGroup(exclusive = false, heading = "Built-in data (when no --input):%n")
    BuiltinOptions builtin = new BuiltinOptions();

    @Option(names = {"-m", "--method"}, split = ",", paramLabel = "M",
            description = "Methods on the class path (see 'qvg backends'; default: ${DEFAULT-VALUE}).")
    List<String> methods = new ArrayList<>(Suite.defaultMethods());

    @Option(names = {"-b", "--bits"}, split = ",", paramLabel = "N", description = "Code bits: 2, 3, 4, 8 (default: 2,4).")
    List<Integer> bits = new ArrayList<>(Suite.DEFAULT_BITS);

    @Option(names = "--stages", split = ",", paramLabel = "S", description = "Stage counts, for methods whose stage count is a setting (default: 1,2,4).")
    List<Integer> stages = new ArrayList<>(Suite.DEFAULT_STAGES);

    @Mixin
    QuantOptions quant = new QuantOptions();

    @Option(names = "--compare", paramLabel = "BACKEND",
            description = "Also run every configuration on this backend and report the difference.")
    String compare;

    @Option(names = "--attention",
            description = "Also report attention-level error: softmax(Q K^T / sqrt(D)) V with the quantized K and V of each"
                    + " K/V pair against the original, for queries drawn from the keys' distribution or --queries-file.")
    boolean attention;

    @Option(names = "--queries", paramLabel = "N", description = "Queries drawn per head for --attention (default: ${DEFAULT-VALUE}).")
    int queries = 64;

    @Option(names = "--queries-file", paramLabel = "FILE",
            description = "Queries [B,H,n,D] for --attention (implies it): the file's tensor named q, or its only tensor.")
    Path queriesFile;

    @Option(names = "--format", paramLabel = "table|json",
            description = "Output: a table, or JSON lines (one object per tensor and configuration) (default: ${DEFAULT-VALUE}).")
    String format = "table";

    @Option(names = {"-o", "--output", "--out"}, paramLabel = "DIR", description = "Directory of the plot files (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("qvg-out");

    @Option(names = "--no-plot", description = "Do not write the rate-distortion plot.")
    boolean noPlot;

    /**
     * The plot (and frame) files in the output folder are this command's own, named by it: a rerun
     * rewrites them (never a device, link, folder or an input, see SafeOutput). {@code --force} is
     * kept for old scripts and changes nothing.
     */
    @Option(names = "--force", description = "Accepted for compatibility: the files this command names in its output folder are always rewritten.")
    boolean force;

    /** Own files in the output folder are rewritten freely. */
    private static final boolean REWRITE_OWN_FILES = true;

    @Mixin
    GroupOptions groups = new GroupOptions();

    @Option(names = "--config", paramLabel = "FILE",
            description = "A tuned configuration file (qvg tune): adds a 'tuned' row for each tensor it names, "
                    + "quantized with that tensor's configuration.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        boolean json = parseFormat();
        input.validate(spec);
        if (input.hasInput() && builtin.given()) {
            throw new ParameterException(spec.commandLine(), "built-in data options cannot be combined with --input");
        }
        builtin.validate(spec);
        List<QuantizerConfig> configs = quant.suite(spec, methods, bits, stages);
        QuantizerConfig base = configs.get(0);
        if (compare != null) {
            QuantOptions.checkProviders(spec, List.of(), compare);
        }
        Map<String, QuantizerConfig> tuned = configFile == null ? Map.of() : TunedConfigs.read(configFile);
        for (QuantizerConfig c : tuned.values()) {
            QuantOptions.checkProviders(spec, List.of(c.method()), c.backend());
        }
        if (queries < 1) {
            throw new ParameterException(spec.commandLine(), "--queries: must be at least 1, got " + queries);
        }
        Path png = out.resolve("rate-distortion.png");
        Path svg = out.resolve("rate-distortion.svg");
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + " is a file, expected a directory");
        }
        if (!noPlot) {
            // refuse before the long part, not after it
            SafeOutput.checkWritable(png, REWRITE_OWN_FILES, input.input(), queriesFile, configFile);
            SafeOutput.checkWritable(svg, REWRITE_OWN_FILES, input.input(), queriesFile, configFile);
        }
        long groupBytes = groups.bytes(spec);

        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        List<EvalResult> results;
        String plotLabel;
        try (InputTensors opened = openInput()) {
            List<TensorSource> tensors = opened.tensors();
            String source = input.hasInput() ? input.input().toString() : builtinDescription;
            plotLabel = input.hasInput() ? String.valueOf(input.input().getFileName())
                    : "built-in data " + tensors.get(0).shape();
            List<Evaluator.Column> columns = new ArrayList<>();
            columns.addAll(quant.columns(spec, configs));
            if (!tuned.isEmpty()) {
                List<String> names = tensors.stream().map(TensorSource::name).toList();
                if (names.stream().noneMatch(tuned::containsKey)) {
                    throw new BadInputException(configFile + " configures " + String.join(", ", tuned.keySet())
                            + " but the data holds " + String.join(", ", names));
                }
                columns.add(new Evaluator.Column(TUNED, t -> tuned.get(t.name())));
            }
            PrintWriter notes = json ? stderr : stdout;
            SettingGuards.check(spec, tensors, t -> columns.stream().map(c -> c.configFor().apply(t)).toList(),
                    quant.allowNoCompression, stderr);
            AttentionProbe probe = attentionProbe(base);
            if (!quiet() || !json) {
                notes.println("data: " + source);
                for (TensorSource t : tensors) {
                    notes.println("  " + t.name() + " " + t.shape() + " " + t.role().name().toLowerCase(Locale.ROOT));
                }
                notes.println(configs.size() + " configurations x " + tensors.size() + " tensors on backend " + base.backend()
                        + (compare == null ? "" : ", compared with " + compare));
                if (!tuned.isEmpty()) {
                    notes.println("plus '" + TUNED + "' rows from " + configFile + " for "
                            + tensors.stream().map(TensorSource::name).filter(tuned::containsKey).collect(Collectors.joining(", ")));
                }
                notes.flush();
            }

            try (Progress progress = Progress.forTerminal(stderr, quiet())) {
                long work = 0; // values of every (tensor, configuration) run: one tick per group of slices
                for (Evaluator.Column col : columns) {
                    for (TensorSource t : tensors) {
                        work += col.configFor().apply(t) == null ? 0 : t.shape().numel();
                    }
                }
                progress.start("eval", work);
                results = new Evaluator(compare, probe, groupBytes).runColumns(tensors, columns, new Evaluator.Listener() {
                    @Override
                    public void starting(TensorSource t, QuantizerConfig c) {
                        progress.working(t.name() + " " + MethodLabels.of(c) + " int" + c.quant().bits());
                    }

                    @Override
                    public void group(TensorSource t, QuantizerConfig c, int first, int count) {
                        progress.advance((long) count * t.shape().sliceSize(), t.name() + " " + MethodLabels.of(c) + " int"
                                + c.quant().bits() + " slices " + first + "-" + (first + count - 1));
                    }
                });
            }
        }
        PrintWriter notes = json ? stderr : stdout;

        if (json) {
            stdout.print(ResultJson.lines(results));
        } else {
            stdout.println();
            stdout.print(ResultTable.format(results));
            List<String> summary = Summary.lines(results);
            if (!summary.isEmpty()) {
                stdout.println();
                summary.forEach(stdout::println);
            }
            List<String> spans = ModelSpanBudgets.lines(results);
            if (!spans.isEmpty()) {
                stdout.println();
                spans.forEach(stdout::println);
            }
        }
        stdout.flush();
        if (!noPlot) {
            writePlot(results, plotLabel, png, svg, notes);
        }
        return ExitCodes.OK;
    }

    /** Description of the built-in data, set when it is generated. */
    private String builtinDescription;

    /** The input file opened for streaming, or the built-in data generated in memory. */
    private InputTensors openInput() throws IOException {
        if (input.hasInput()) {
            return input.open(spec);
        }
        BuiltinData.Generated g = BuiltinData.generate(builtin, spec);
        builtinDescription = g.description();
        return InputTensors.inMemory(g.tensors());
    }

    private boolean quiet() {
        return root != null && root.quiet();
    }

    /** The attention-error probe asked for, or null; given queries are loaded here (a bad file is bad input). */
    private AttentionProbe attentionProbe(QuantizerConfig base) throws IOException {
        if (queriesFile != null) {
            List<NamedTensor> q = TensorFiles.load(queriesFile, List.of(), dev.qvg.api.tensor.Layout.BHSD, null);
            NamedTensor chosen = q.stream().filter(t -> t.name().equals("q")).findFirst()
                    .orElse(q.size() == 1 ? q.get(0) : null);
            if (chosen == null) {
                throw new BadInputException(queriesFile + ": no tensor named 'q' and more than one tensor");
            }
            return DrawnQueryAttention.given(chosen.tensor());
        }
        return attention ? DrawnQueryAttention.drawn(queries, base.kmeans().seed()) : null;
    }

    private void writePlot(List<EvalResult> results, String label, Path png, Path svg, PrintWriter notes)
            throws IOException {
        if (results.stream().noneMatch(r -> Double.isFinite(r.metrics().snrDb()))) {
            notes.println("no plot: every configuration was lossless");
            return;
        }
        RateDistortionPlot plot = RateDistortionPlot.of(results, "SNR against bits per value: " + shorten(label));
        byte[] pngBytes = plot.png();
        byte[] svgBytes = plot.svg();
        SafeOutput.write(png, REWRITE_OWN_FILES, t -> Files.write(t, pngBytes));
        SafeOutput.write(svg, REWRITE_OWN_FILES, t -> Files.write(t, svgBytes));
        if (!quiet()) {
            notes.println("\nplot: " + png + ", " + svg);
        }
        notes.flush();
    }

    private static String shorten(String s) {
        return s.length() <= 50 ? s : "..." + s.substring(s.length() - 47);
    }

    private boolean parseFormat() {
        switch (format.toLowerCase(Locale.ROOT)) {
            case "table":
                return false;
            case "json":
            case "jsonl":
                return true;
            default:
                throw new ParameterException(spec.commandLine(), "--format: unknown value '" + format
                        + "', expected table or json");
        }
    }
}
