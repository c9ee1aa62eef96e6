package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.io.EntryNames;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.QuantizedKvStreamReader;
import dev.qvg.io.ReadLimits;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qvg inspect -i FILE} (or {@code qvg inspect FILE}): what a file holds. For a
 * quantized-cache file: the config, and per entry its name, shape, role, method, layout of the
 * codes, stages and exact bit accounting (checksums are verified on the way). For a plain
 * {@code .safetensors} or {@code .npy}: tensors, dtypes, shapes and metadata, without reading the
 * data. {@code --format json} prints the same as one versioned JSON object ({@link InspectJson}).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show shapes, dtypes, config and bit accounting of a .safetensors, .qvg.safetensors or .npy file.",
        footer = {"", "Examples:", "  qvg inspect -i kv.qvg.safetensors",
            "  qvg inspect -i kv.qvg.safetensors --format json | jq '.entries[] | {name, bits_per_value}'"})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "The file to describe.")
    Path input;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "The file to describe, as -i FILE does (kept for older scripts).")
    Path positional;

    @Option(names = "--format", paramLabel = "text|json",
            description = "text (default) or json: one object on one line, \"schema_version\": " + InspectJson.SCHEMA_VERSION
                    + ", snake_case keys, lowercase enum values.")
    String format = "text";

    private Path file;

    @Override
    public Integer call() throws Exception {
        file = file();
        boolean json = json();
        if (!Files.exists(file)) {
            throw new BadInputException("no such file: " + file);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + " is a directory, expected a file");
        }
        long bytes = Files.size(file);
        if (dev.qvg.io.KvFiles.isNpy(file)) {
            Npy.Header h = Npy.readHeader(file, ReadLimits.defaults());
            if (json) {
                out.println(InspectJson.text(InspectJson.npy(file, bytes, h)));
            } else {
                out.printf(Locale.ROOT, "%s: numpy array, %s %s, %d values%n", file, h.dtype(), Arrays.toString(h.shape()),
                        h.numel());
            }
        } else {
            try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
                if (!QuantizedKvFile.FORMAT.equals(r.metadata().get("qvg.format"))) {
                    if (json) {
                        out.println(InspectJson.text(InspectJson.safetensors(file, bytes, r)));
                    } else {
                        describePlain(out, r);
                    }
                } else {
                    // streamed: every check of QuantizedKvFile.read, without holding the entries' data,
                    // so a cache larger than the heap can be inspected
                    try (QuantizedKvStreamReader c = QuantizedKvStreamReader.open(file)) {
                        if (json) {
                            out.println(InspectJson.text(InspectJson.quantized(file, bytes, r, c)));
                        } else {
                            describeQuantized(out, c);
                        }
                    }
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The file: {@code -i FILE} or the positional one (the same one if both), else a usage error. */
    private Path file() {
        if (input != null && positional != null && !input.equals(positional)) {
            throw new ParameterException(spec.commandLine(), "two files given (" + input + " and " + positional
                    + "); inspect describes one: use -i FILE");
        }
        Path f = input != null ? input : positional;
        if (f == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--input=FILE'");
        }
        return f;
    }

    private boolean json() {
        switch (format.toLowerCase(Locale.ROOT)) {
            case "text": return false;
            case "json": return true;
            default: throw new ParameterException(spec.commandLine(), "--format: unknown value '" + format
                    + "', expected text or json");
        }
    }

    private void describePlain(PrintWriter out, SafeTensorsReader r) {
        out.printf(Locale.ROOT, "%s: safetensors, %d tensors%n", file, r.names().size());
        for (String n : r.names()) {
            TensorInfo t = r.info(n);
            out.printf(Locale.ROOT, "  %-20s %-5s %-22s %,d bytes%n", EntryNames.printable(n), t.dtype(), t.shapeString(),
                    t.byteLength());
        }
        if (!r.metadata().isEmpty()) {
            out.println("metadata:");
            for (Map.Entry<String, String> e : r.metadata().entrySet()) {
                out.println("  " + EntryNames.printable(e.getKey()) + " = " + EntryNames.printable(e.getValue()));
            }
        }
    }

    /**
     * The stored settings, those the method does not read left out (its provider says which; all
     * of them when the method is not on the class path): rtn has no clusters or iterations.
     */
    static String settings(QuantizerConfig cfg) {
        java.util.Set<dev.qvg.api.spi.CoreSetting> reads = dev.qvg.api.registry.Qvg.quantizers().contains(cfg.method())
                ? dev.qvg.api.registry.Methods.of(cfg).settings() : java.util.EnumSet.allOf(dev.qvg.api.spi.CoreSetting.class);
        StringBuilder sb = new StringBuilder("method " + cfg.method() + ", backend " + cfg.backend());
        if (reads.contains(dev.qvg.api.spi.CoreSetting.STAGES) || cfg.stages() > 0) {
            sb.append(", stages ").append(cfg.stages());
        }
        sb.append(", bits ").append(cfg.quant().bits()).append(", block ").append(cfg.quant().blockSize())
                .append(cfg.quant().symmetric() ? ", symmetric" : ", asymmetric")
                .append(", scales ").append(cfg.quant().scalePrecision().cliName());
        if (reads.contains(dev.qvg.api.spi.CoreSetting.KMEANS) && cfg.stages() > 0) {
            sb.append(String.format(Locale.ROOT, ", clusters %d, iters %d, tol %s, seed %d, init %s",
                    cfg.kmeans().clusters(), cfg.kmeans().maxIters(), cfg.kmeans().tol(), cfg.kmeans().seed(),
                    cfg.kmeans().init().cliName()));
        }
        new java.util.TreeMap<>(cfg.params()).forEach((k, v) -> sb.append(", ").append(k).append(' ').append(v));
        return sb.toString();
    }

    private void describeQuantized(PrintWriter out, QuantizedKvStreamReader c) throws java.io.IOException {
        out.printf(Locale.ROOT, "%s: qvg quantized cache (format %s version %s, checksums verified), %d entries%n", file,
                QuantizedKvFile.FORMAT, c.metadata().get("qvg.format_version"), c.entries().size());
        QuantizerConfig cfg = c.config();
        if (cfg != null) {
            out.println("config: " + cfg.label());
            out.println("  " + settings(cfg));
        }
        BitBudget total = null;
        for (String name : c.entries()) {
            QuantizedKvStreamReader.Entry q = c.entry(name);
            BitBudget b = q.budget();
            total = total == null ? b : total.plus(b);
            int n = q.shape().slices(), D = q.shape().headDim(), Sq = q.quantizedTokens();
            out.printf(Locale.ROOT, "entry %s%s: %s %s, method %s, %s, %d of %d tokens quantized%n",
                    EntryNames.printable(name), q.key().equals(name) ? "" : " (key " + q.key() + ")", q.shape(),
                    q.role().name().toLowerCase(Locale.ROOT), q.method(), q.orientation().name().toLowerCase(Locale.ROOT),
                    Sq, q.shape().tokens());
            if (q.blocks() != null) {
                var bq = q.blocks();
                boolean tokenMajor = q.orientation() == Orientation.TOKEN_MAJOR;
                out.printf(Locale.ROOT, "  blocks: [%d, %d] int%d %s block %d, %s scales%n",
                        tokenMajor ? (long) n * Sq : (long) n * D, tokenMajor ? D : Sq, bq.bits(),
                        bq.symmetric() ? "symmetric" : "asymmetric", bq.blockSize(),
                        bq.scalePrecision().name().toLowerCase(Locale.ROOT));
            }
            for (int s = 0; s < q.clusters().size(); s++) {
                int k = q.clusters().get(s);
                out.printf(Locale.ROOT, "  stage %d: %d clusters x %d dims per slice, %d-bit ids, k-means iterations %s%n",
                        s + 1, k, D, k <= 256 ? 8 : 16, Arrays.toString(c.iterations(name, s)));
            }
            printBudget(out, "  ", b);
        }
        if (c.entries().size() > 1 && total != null) {
            out.println("all entries:");
            printBudget(out, "  ", total);
        }
    }

    static void printBudget(PrintWriter out, String indent, BitBudget b) {
        double v = b.values();
        out.printf(Locale.ROOT, "%sbits/value %.4f = codes %.4f + scales %.4f + zeros %.4f + ids %.4f + centroids %.4f"
                        + " + bf16 %.4f; %,d bytes vs %,d bf16 bytes (%.2fx)%n", indent, b.bitsPerValue(),
                b.codeBits() / v, b.scaleBits() / v, b.zeroBits() / v, b.idBits() / v, b.centroidBits() / v,
                b.fullPrecisionBits() / v, b.totalBytes(), b.values() * 2, b.compressionRatio());
    }
}
