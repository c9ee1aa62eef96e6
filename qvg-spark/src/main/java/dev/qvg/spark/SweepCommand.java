package dev.qvg.spark;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.QuantOptions;
import dev.qvg.cli.util.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qvg sweep}: {@code qvg eval}'s configurations over a corpus of K/V dumps on Apache Spark,
 * one row per (file, tensor, configuration, head), in local mode by default and on a cluster
 * through {@code spark-submit}.
 */
@Command(name = "qvg sweep", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = SweepCommand.Version.class,
        description = {"Evaluate quantizers over many K/V dumps (a folder or glob of .safetensors/.npy files) on Apache Spark:",
            "every configuration on every tensor, one row per (file, tensor, configuration, head) with eval's JSON fields,",
            "written as Parquet and JSON lines, with a summary table and plots. Local mode on every core by default;",
            "the same job runs on a cluster with spark-submit. A rerun into the same --out resumes it."},
        footer = {"", "Outputs in --out: heads.parquet/, heads.jsonl, tensors.parquet/, tensors.jsonl (eval's rows per tensor),",
            "skipped.jsonl, summary.txt, plots/ (heatmaps by layer x head, rate-distortion by layer, bits per value vs SNR),",
            "and the sweep's own sweep.json, configs.json and units/ (one committed result file per task).",
            "With --tune-*: tuned/<path>.tuned.json per input file and tuned.jsonl; with --compress DIR: the compressed files.",
            "",
            "Examples:", "  qvg sweep --input dumps --out sweep-out",
            "  qvg sweep --input 'dumps/*/layer_*.safetensors' --pattern '(?<prompt>[^/]+)/layer_(?<layer>\\d+)' --out s",
            "  qvg sweep --input dumps --out s --method sas,prq --bits 2 --stages 1,2 --clusters 128",
            "  qvg sweep --input dumps --out s --config tuned.json --compress packed --tune-snr-db 20",
            "  spark-submit --class dev.qvg.spark.SweepMain qvg-sweep.jar --input /shared/dumps --out /shared/sweep"})
public final class SweepCommand implements Callable<Integer> {

    /** eval's default comparison: the methods that declare a place in it. */
    static final List<String> DEFAULT_METHODS = dev.qvg.cli.eval.Suite.defaultMethods();

    /** The label of the rows of {@code --config}'s configurations, as eval's. */
    static final String TUNED = "tuned";

    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "PATH",
            description = "A folder (every .safetensors and .npy file under it), a file, or a glob such as 'dumps/*/l*.npy';"
                    + " repeat for more. On a cluster: a path every executor sees (a shared file system).")
    List<String> inputs = new ArrayList<>();

    @Option(names = {"-o", "--output", "--out"}, required = true, paramLabel = "DIR",
            description = "Output folder: new or empty, or one of the same sweep to resume it.")
    Path out;

    @Option(names = "--pattern", paramLabel = "REGEX",
            description = "Where layer and prompt are in '<path relative to the input>#<tensor>': a regular expression with"
                    + " named groups (?<layer>\\d+) and/or (?<prompt>...) (default: layer after layer/block/blk/l, prompt:"
                    + " the file's folder).")
    String pattern;

    @Option(names = "--tensor", split = ",", paramLabel = "NAME",
            description = "Tensor(s) of each file to use (default: every float tensor); a file lacking one is reported.")
    List<String> tensors = new ArrayList<>();

    @Option(names = "--layout", paramLabel = "bhsd|bshd", description = "Axis order of the files' tensors (default: ${DEFAULT-VALUE}).")
    String layout = "bhsd";

    @Option(names = "--role", paramLabel = "k|v", description = "Treat every tensor as keys or values (default: guessed from the name).")
    String role;

    @Option(names = {"-m", "--method"}, split = ",", paramLabel = "M",
            description = "Methods, as eval takes them (default: rtn,kivi,sas,prq).")
    List<String> methods = new ArrayList<>(DEFAULT_METHODS);

    @Option(names = {"-b", "--bits"}, split = ",", paramLabel = "N", description = "Code bits (default: 2,4).")
    List<Integer> bits = new ArrayList<>(List.of(2, 4));

    @Option(names = "--stages", split = ",", paramLabel = "S", description = "Stage counts of methods that take one (default: 1,2,4).")
    List<Integer> stages = new ArrayList<>(List.of(1, 2, 4));

    @Mixin
    QuantOptions quant = new QuantOptions();

    @Option(names = "--config", paramLabel = "FILE",
            description = "A tuned configuration file (qvg tune --output): adds a 'tuned' configuration, each tensor it"
                    + " names quantized with its configuration (rows labelled tuned), as eval's --config.")
    Path configFile;

    @Option(names = "--compress", paramLabel = "DIR",
            description = "Also write, for every input file and configuration, the quantized-cache file qvg compress"
                    + " writes (the same bytes), as DIR/<path under its input>.<configuration>.qvg.safetensors"
                    + " (e.g. p1/layer_3.safetensors.prq_2_-int2.qvg.safetensors; 'tuned' for --config's). DIR: new,"
                    + " empty, or this sweep's; files already there are kept.")
    Path compress;

    @Option(names = "--tune-snr-db", paramLabel = "DB",
            description = "Also run qvg tune on every tensor for this SNR target: one tuned-config file per input file"
                    + " (tuned/<path>.tuned.json in --out, qvg tune --output's bytes) and a row per tensor (tuned.jsonl).")
    Double tuneSnrDb;

    @Option(names = "--tune-rel-l2", paramLabel = "E", description = "As --tune-snr-db, for a relative L2 target (0 < E < 1).")
    Double tuneRelL2;

    @Option(names = "--tune-method", paramLabel = "M",
            description = "Method whose settings tuning searches, as qvg tune's --method (default: its default, prq).")
    String tuneMethod;

    @Option(names = "--tune-bits", split = ",", paramLabel = "N",
            description = "Code bits tuning tries, as qvg tune's --search-bits (default: ${DEFAULT-VALUE}).")
    List<Integer> tuneBits = new ArrayList<>(dev.qvg.tools.tune.SearchSpace.DEFAULT_BITS);

    @Option(names = "--tune-stages", split = ",", paramLabel = "S",
            description = "Stages tuning tries, as qvg tune's --search-stages (default: ${DEFAULT-VALUE}).")
    List<Integer> tuneStages = new ArrayList<>(dev.qvg.tools.tune.SearchSpace.DEFAULT_STAGES);

    @Option(names = "--tune-clusters", split = ",", paramLabel = "K",
            description = "Clusters per stage tuning tries, as qvg tune's --search-clusters (default: ${DEFAULT-VALUE}).")
    List<Integer> tuneClusters = new ArrayList<>(dev.qvg.tools.tune.SearchSpace.DEFAULT_CLUSTERS);

    @Option(names = "--slices-per-task", paramLabel = "N",
            description = "(batch, head) slices of a tensor per Spark task (default: 0, every slice: one task per tensor and"
                    + " configuration, whose tensor row is eval's exactly). Smaller tasks spread a few large tensors over"
                    + " more executors; their tensor rows then equal eval's to rounding.")
    int slicesPerTask;

    @Option(names = "--group-mib", paramLabel = "MIB",
            description = "Float32 MiB of slices a task holds at a time (default: 64, or a twelfth of its share of the"
                    + " executor heap when smaller).")
    Double groupMib;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else local[*]: embedded, every core).")
    String master;

    @Option(names = "--no-plot", description = "Do not draw the plots.")
    boolean noPlot;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines.")
    boolean quiet;

    @Option(names = "--verbose", description = "Stack traces with errors.")
    boolean verbose;

    /** Set by tests to run in a session they own; null opens (and stops) one. */
    SparkSession session;

    @Override
    public Integer call() throws Exception {
        Layout.parse(checked("--layout", layout));
        if (role != null) {
            KvRole.parse(checked("--role", role));
        }
        PathFields fields;
        try {
            fields = pattern == null ? PathFields.defaults() : PathFields.pattern(pattern);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (slicesPerTask < 0) {
            throw new ParameterException(spec.commandLine(), "--slices-per-task: must be 0 (every slice) or more, got "
                    + slicesPerTask);
        }
        long groupBytes = 0;
        if (groupMib != null) {
            if (!(groupMib > 0) || groupMib.isInfinite() || groupMib * (1 << 20) > Long.MAX_VALUE / 2) {
                throw new ParameterException(spec.commandLine(), "--group-mib: must be a positive number of MiB, got "
                        + groupMib);
            }
            groupBytes = Math.max(1, (long) (groupMib * (1 << 20)));
        }
        // eval's configurations: methods' knobs, presets and the refusals of settings no method reads
        quant.refuseKvSplit(spec, "sweep");
        List<QuantizerConfig> configs = new ArrayList<>(quant.suite(spec, methods, bits, stages));
        int suite = configs.size();
        // --config: each tensor it names gets its own configuration, as a 'tuned' column (eval's --config)
        java.util.Map<String, Integer> tuned = new java.util.LinkedHashMap<>();
        if (configFile != null) {
            for (java.util.Map.Entry<String, QuantizerConfig> t : readTuned(configFile).entrySet()) {
                QuantOptions.checkProviders(spec, List.of(t.getValue().method()), t.getValue().backend());
                int at = configs.subList(suite, configs.size()).indexOf(t.getValue());
                if (at < 0) {
                    configs.add(t.getValue());
                    at = configs.size() - 1;
                } else {
                    at += suite;
                }
                tuned.put(t.getKey(), at);
            }
        }
        Tuning.Spec tune = null;
        QuantizerConfig tuneBase = null;
        if (tuneSnrDb != null && tuneRelL2 != null) {
            throw new ParameterException(spec.commandLine(), "give one of --tune-snr-db and --tune-rel-l2");
        }
        if (tuneSnrDb != null || tuneRelL2 != null) {
            // qvg tune's base configuration and search space
            tuneBase = quant.suite(spec, tuneMethod == null ? null : List.of(tuneMethod),
                    List.of(tuneBits.isEmpty() ? 2 : tuneBits.get(0)), List.of(tuneStages.isEmpty() ? 1 : tuneStages.get(0)))
                    .get(0);
            try {
                tune = new Tuning.Spec(tuneSnrDb != null, tuneSnrDb != null ? tuneSnrDb : tuneRelL2, tuneBits, tuneStages,
                        tuneClusters);
                tune.target();
                new dev.qvg.tools.tune.SearchSpace(tuneBase, tuneBits, tuneStages, tuneClusters).candidates();
            } catch (IllegalArgumentException ex) {
                throw new ParameterException(spec.commandLine(), (tuneSnrDb != null ? "--tune-snr-db" : "--tune-rel-l2")
                        + ": " + ex.getMessage());
            }
        } else if (tuneMethod != null || spec.commandLine().getParseResult().hasMatchedOption("--tune-bits")
                || spec.commandLine().getParseResult().hasMatchedOption("--tune-stages")
                || spec.commandLine().getParseResult().hasMatchedOption("--tune-clusters")) {
            throw new ParameterException(spec.commandLine(), "the --tune-* search options need a target:"
                    + " --tune-snr-db or --tune-rel-l2");
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter e = spec.commandLine().getErr();
        Sweep.Settings settings = new Sweep.Settings(inputs, out, tensors, layout.toLowerCase(Locale.ROOT),
                role == null ? null : role.toLowerCase(Locale.ROOT), fields, configs, slicesPerTask, groupBytes, !noPlot,
                suite, tuned, configFile == null ? null : configFile.toString(), compress, tuneBase, tune);
        SparkSession spark = session != null ? session : Sessions.open(master);
        Sweep.Outcome r;
        try {
            r = Sweep.run(spark, settings, o, e, quiet);
        } finally {
            if (session == null) {
                spark.stop();
            }
        }
        r.summary().forEach(o::println);
        o.flush();
        Path dir = out.toAbsolutePath().normalize();
        if (!r.skips().isEmpty()) {
            e.println("skipped (" + r.skips().size() + " record" + (r.skips().size() == 1 ? "" : "s") + " in "
                    + dir.resolve(Outputs.SKIPPED) + "):");
            Sweep.skipLines(r.skips()).forEach(e::println);
        }
        if (!quiet) {
            r.notes().forEach(e::println);
            e.println(String.format(Locale.ROOT, "done: %d head rows, %d tensor rows from %d tasks (%d run now, %d earlier)"
                    + " in %s: heads.parquet, heads.jsonl, tensors.parquet, tensors.jsonl, summary.txt%s", r.headRows(),
                    r.tensorRows(), r.units(), r.computed(), r.doneBefore(), dir, noPlot ? "" : ", plots/"));
        }
        e.flush();
        return ExitCodes.OK;
    }

    /** The configurations of a {@code qvg tune} file by tensor name; a missing, malformed or empty file is bad input. */
    private static java.util.Map<String, QuantizerConfig> readTuned(Path file) {
        try {
            java.util.Map<String, QuantizerConfig> m = dev.qvg.tools.tune.TunedConfigFile.read(file);
            if (m.isEmpty()) {
                throw new dev.qvg.cli.util.BadInputException(file + ": the config file names no tensor");
            }
            return m;
        } catch (java.io.IOException ex) {
            throw new dev.qvg.cli.util.BadInputException(file + ": cannot read the config file: " + ex.getMessage());
        } catch (IllegalArgumentException ex) {
            throw new dev.qvg.cli.util.BadInputException(ex.getMessage());
        }
    }

    private String checked(String option, String value) {
        try {
            if (option.equals("--layout")) {
                Layout.parse(value);
            } else {
                KvRole.parse(value);
            }
            return value;
        } catch (IllegalArgumentException ex) {
            throw new ParameterException(spec.commandLine(), option + ": " + ex.getMessage());
        }
    }

    /** The version line: qvg's and Spark's. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {new dev.qvg.cli.Version().getVersion()[0] + " (sweep) on Apache Spark "
                + org.apache.spark.package$.MODULE$.SPARK_VERSION()};
        }
    }
}
