package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.cli.eval.GroupedRun;
import dev.qvg.cli.eval.InputTensors;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.cli.eval.Evaluator;
import dev.qvg.cli.eval.Suite;
import dev.qvg.cli.eval.TensorSource;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.GroupOptions;
import dev.qvg.cli.util.Progress;
import dev.qvg.cli.util.SafeOutput;
import dev.qvg.io.QuantizedKvStreamWriter;
import dev.qvg.io.SliceGroups;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qvg compress}: quantizes the tensors of a file into a quantized-cache file
 * ({@code .qvg.safetensors}), streaming (batch, head) slice groups from the memory-mapped input to
 * the output so that memory stays bounded whatever the input's size.
 */
@Command(name = "compress", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Quantize the K/V tensors of a file into a quantized-cache file (safetensors with checksums).",
        footer = {"", "Example:", "  qvg compress --input kv.safetensors --output kv.qvg.safetensors --method prq --bits 2"})
public final class CompressCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    QvgCommand root;

    @Mixin
    InputOptions input = new InputOptions();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The quantized-cache file to write.")
    Path output;

    @Option(names = {"-m", "--method"}, paramLabel = "M",
            description = "Method (default: the highest-ranked on the class path, prq; or QVG_METHOD).")
    String method;

    @Option(names = {"-b", "--bits"}, paramLabel = "N", description = "Code bits: 2, 3, 4, 8 (default: ${DEFAULT-VALUE}).")
    int bits = 2;

    @Option(names = "--stages", paramLabel = "S", description = "Smoothing stages, for methods whose stage count is a setting (default: ${DEFAULT-VALUE}).")
    int stages = 1;

    @Mixin
    QuantOptions quant = new QuantOptions();

    @Option(names = "--config", paramLabel = "FILE",
            description = "A per-tensor configuration file written by 'qvg tune' (replaces the method and quantizer options).")
    Path configFile;

    @Option(names = "--force", description = "Overwrite the output file.")
    boolean force;

    @Mixin
    GroupOptions groups = new GroupOptions();

    @Override
    public Integer call() throws Exception {
        input.validate(spec);
        if (!input.hasInput()) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--input=FILE'");
        }
        long groupBytes = groups.bytes(spec);
        Map<String, QuantizerConfig> tuned = configFile == null ? null : TunedConfigs.read(configFile);
        QuantizerConfig config = null;
        if (tuned != null) {
            refuseOptionsBesideConfig();
        }
        if (tuned == null) {
            config = quant.suite(spec, method == null ? null : List.of(method), List.of(bits), List.of(stages)).get(0);
        }
        SafeOutput.checkWritable(output, force, input.input());
        try (InputTensors opened = input.open(spec)) {
            Map<String, TensorSource> byEntry = entryNames(opened.tensors());
            Map<String, QuantizerConfig> configs = new LinkedHashMap<>();
            for (Map.Entry<String, TensorSource> e : byEntry.entrySet()) {
                configs.put(e.getKey(), tuned == null ? quant.forRole(spec, config, e.getValue().role())
                        : configFor(tuned, e.getValue().name()));
            }
            SettingGuards.check(spec, List.copyOf(byEntry.values()),
                    t -> java.util.Collections.singletonList(configs.get(entryOf(byEntry, t))), quant.allowNoCompression,
                    spec.commandLine().getErr());
            boolean oneConfig = new java.util.HashSet<>(configs.values()).size() == 1;
            QuantizerConfig first = configs.values().iterator().next();
            SafeOutput.createParent(output);
            StringBuilder report = new StringBuilder();
            BitBudget total;
            // each entry's method and parameters are in its own info when the configs differ
            try (QuantizedKvStreamWriter writer = QuantizedKvStreamWriter.create(output, oneConfig ? first : null, force)) {
                total = compress(byEntry, configs, groupBytes, writer, report);
                writer.commit();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("compressed " + input.input() + " with " + (oneConfig ? first.label() : "per-tensor configs from "
                    + (configFile != null ? configFile : "the --k-*/--v-* settings")) + " on backend " + first.backend());
            out.print(report);
            out.printf(Locale.ROOT, "wrote %s: %d bytes of quantized data for %d bf16 bytes (%.2fx)%n", output,
                    total.totalBytes(), total.values() * 2, total.compressionRatio());
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static String entryOf(Map<String, TensorSource> byEntry, TensorSource t) {
        for (Map.Entry<String, TensorSource> e : byEntry.entrySet()) {
            if (e.getValue() == t) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("tensor " + t.name() + " has no entry");
    }

    /**
     * With {@code --config}, the tuned file sets each tensor's whole configuration: an option that
     * would set part of it too is a conflict (which one should win is not for us to guess).
     */
    private void refuseOptionsBesideConfig() {
        QuantOptions.refuseConfigOptions(spec, "--config, whose file sets each tensor's configuration",
                java.util.Set.of("--backend"));
    }

    /**
     * Streams every entry through its quantizer into {@code writer}, a group of slices at a time
     * ({@link GroupedRun}): only a few groups are in memory, whatever the input's size. Appends one
     * report line per entry; returns the summed storage.
     */
    private BitBudget compress(Map<String, TensorSource> byEntry, Map<String, QuantizerConfig> configs, long groupBytes,
                               QuantizedKvStreamWriter writer, StringBuilder report) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, SliceGroups> plans = new LinkedHashMap<>();
        int steps = 0;
        for (Map.Entry<String, TensorSource> e : byEntry.entrySet()) {
            SliceGroups g = SliceGroups.plan(e.getValue().shape(),
                    Evaluator.groupBytesFor(configs.get(e.getKey()), groupBytes), cores);
            plans.put(e.getKey(), g);
            steps += g.count();
        }
        BitBudget total = null;
        // one pipeline (and backend) per distinct configuration, opened when first needed
        Map<QuantizerConfig, OpenPipeline> pipelines = new java.util.HashMap<>();
        try (Progress progress = Progress.forTerminal(spec.commandLine().getErr(), root != null && root.quiet())) {
            // every tensor's shape against its quantizer first: a refusal comes before any work
            for (Map.Entry<String, TensorSource> e : byEntry.entrySet()) {
                GroupedRun.requireFits(e.getValue(), pipelines.computeIfAbsent(configs.get(e.getKey()), OpenPipeline::open)
                        .quantizer());
            }
            progress.start("compress", steps);
            for (Map.Entry<String, TensorSource> e : byEntry.entrySet()) {
                TensorSource t = e.getValue();
                KvShape shape = t.shape();
                SliceGroups groups = plans.get(e.getKey());
                progress.working(t.name());
                writer.beginEntry(e.getKey(), shape);
                OpenPipeline pipeline = pipelines.computeIfAbsent(configs.get(e.getKey()), OpenPipeline::open);
                GroupedRun.Totals r = GroupedRun.run(t, pipeline.quantizer(), groups, (first, count, x, part, recon) -> {
                    // never write what cannot be read back: decompress refuses a non-finite value
                    GroupedRun.requireFiniteReconstruction(t.name(), shape, first, recon, count * shape.sliceSize());
                    writer.write(part, first);
                    progress.step(t.name() + " slices " + first + "-" + (first + count - 1));
                });
                BitBudget b = r.budget();
                total = total == null ? b : total.plus(b);
                report.append(String.format(Locale.ROOT, "  %-12s %-18s %-5s %8.4f bits/value %6.2fx  rel L2 %.4f  SNR %.2f dB%n",
                        e.getKey(), shape, t.role() == dev.qvg.api.tensor.KvRole.KEY ? "keys" : "vals",
                        b.bitsPerValue(), b.compressionRatio(), r.metrics().relL2(), r.metrics().snrDb()));
            }
        } finally {
            pipelines.values().forEach(OpenPipeline::close);
        }
        return total;
    }

    /** The tuned configuration of a tensor, by its name in the input file. */
    private QuantizerConfig configFor(Map<String, QuantizerConfig> tuned, String tensor) {
        QuantizerConfig c = tuned.get(tensor);
        if (c == null) {
            throw new BadInputException(configFile + " has no configuration for tensor '" + tensor + "'; it has: "
                    + String.join(", ", tuned.keySet()));
        }
        QuantOptions.checkProviders(spec, List.of(c.method()), c.backend());
        return c;
    }

    /**
     * Entry names of the file: the tensor names, exactly (qvg-io gives each entry a safe key of
     * its own and records the name; {@link dev.qvg.io.EntryNames}); a name that cannot be stored
     * (a control character, {@code __metadata__}) is refused before any work.
     */
    static Map<String, TensorSource> entryNames(List<TensorSource> tensors) {
        Map<String, TensorSource> out = new LinkedHashMap<>();
        for (TensorSource t : tensors) {
            String why = dev.qvg.io.EntryNames.problem(t.name());
            if (why != null) {
                throw new BadInputException("tensor " + dev.qvg.io.EntryNames.printable(t.name()) + " cannot be stored: " + why);
            }
            out.put(t.name(), t);
        }
        return out;
    }
}
