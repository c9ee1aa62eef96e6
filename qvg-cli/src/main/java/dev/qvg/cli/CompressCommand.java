package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.cli.eval.NamedTensor;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.cli.eval.Suite;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.Progress;
import dev.qvg.cli.util.SafeOutput;
import dev.qvg.io.QuantizedKvFile;
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

/** {@code qvg compress}: quantizes the tensors of a file into a quantized-cache file ({@code .qvg.safetensors}). */
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

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The quantized-cache file to write.")
    Path output;

    @Option(names = {"-m", "--method"}, paramLabel = "M", description = "Method (default: ${DEFAULT-VALUE}).")
    String method = "prq";

    @Option(names = {"-b", "--bits"}, paramLabel = "N", description = "Code bits: 2, 3, 4, 8 (default: ${DEFAULT-VALUE}).")
    int bits = 2;

    @Option(names = "--stages", paramLabel = "S", description = "PRQ stages (default: ${DEFAULT-VALUE}).")
    int stages = 1;

    @Mixin
    QuantOptions quant = new QuantOptions();

    @Option(names = "--force", description = "Overwrite the output file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        input.validate(spec);
        if (!input.hasInput()) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--input=FILE'");
        }
        QuantizerConfig base = quant.base(spec);
        QuantOptions.checkProviders(spec, List.of(method), base.backend());
        QuantizerConfig config;
        try {
            config = Suite.of(base, List.of(method), List.of(bits), List.of(stages)).get(0);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        SafeOutput.checkWritable(output, force);
        List<NamedTensor> tensors = input.load(spec);
        Map<String, NamedTensor> byEntry = entryNames(tensors);

        PrintWriter out = spec.commandLine().getOut();
        Map<String, QuantizedKv> entries = new LinkedHashMap<>();
        StringBuilder report = new StringBuilder();
        BitBudget total = null;
        try (OpenPipeline p = OpenPipeline.open(config);
             Progress progress = Progress.forTerminal(spec.commandLine().getErr(), root != null && root.quiet())) {
            progress.start("compress", byEntry.size());
            for (Map.Entry<String, NamedTensor> e : byEntry.entrySet()) {
                NamedTensor t = e.getValue();
                progress.working(t.name());
                var x = t.tensor().toBhsd();
                QuantizedKv q = p.quantizer().quantize(x, t.role());
                entries.put(e.getKey(), q);
                ErrorMetrics m = ErrorMetrics.compare(x.data(), ReferenceDecoder.decode(q).data(), x.shape().headDim());
                BitBudget b = q.budget();
                total = total == null ? b : total.plus(b);
                report.append(String.format(Locale.ROOT, "  %-12s %-18s %-5s %8.4f bits/value %6.2fx  rel L2 %.4f  SNR %.2f dB%n",
                        e.getKey(), x.shape(), t.role() == dev.qvg.api.tensor.KvRole.KEY ? "keys" : "vals",
                        b.bitsPerValue(), b.compressionRatio(), m.relL2(), m.snrDb()));
                progress.step(t.name());
            }
        }
        SafeOutput.createParent(output);
        QuantizedKvFile.write(output, entries, config, force);
        out.println("compressed " + input.input() + " with " + config.label() + " on backend " + config.backend());
        out.print(report);
        out.printf(Locale.ROOT, "wrote %s: %d bytes of quantized data for %d bf16 bytes (%.2fx)%n", output,
                total.totalBytes(), total.values() * 2, total.compressionRatio());
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * Entry names of the file: the tensor names with anything but letters, digits and underscores
     * replaced by an underscore (the format's rule), refusing two tensors that would collide.
     */
    static Map<String, NamedTensor> entryNames(List<NamedTensor> tensors) {
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (NamedTensor t : tensors) {
            String n = t.name().replaceAll("[^A-Za-z0-9_]", "_");
            if (n.length() > 64) {
                throw new BadInputException("tensor name '" + t.name() + "' is longer than the 64 characters an entry name may have");
            }
            NamedTensor prev = out.putIfAbsent(n, t);
            if (prev != null) {
                throw new BadInputException("tensors '" + prev.name() + "' and '" + t.name() + "' both map to entry name '"
                        + n + "'; select one with --tensor");
            }
        }
        return out;
    }
}
