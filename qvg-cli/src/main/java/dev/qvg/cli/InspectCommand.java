package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qvg inspect FILE}: what a file holds. For a quantized-cache file: the config, and per
 * entry its shape, role, method, layout of the codes, stages and exact bit accounting (checksums
 * are verified on the way). For a plain {@code .safetensors} or {@code .npy}: tensors, dtypes,
 * shapes and metadata, without reading the data.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show shapes, dtypes, config and bit accounting of a .safetensors, .qvg.safetensors or .npy file.")
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to describe.")
    Path file;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(file)) {
            throw new BadInputException("no such file: " + file);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + " is a directory, expected a file");
        }
        if (dev.qvg.io.KvFiles.isNpy(file)) {
            Npy.Header h = Npy.readHeader(file, ReadLimits.defaults());
            out.printf(Locale.ROOT, "%s: numpy array, %s %s, %d values%n", file, h.dtype(), Arrays.toString(h.shape()),
                    h.numel());
        } else {
            boolean quantized;
            try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
                quantized = QuantizedKvFile.FORMAT.equals(r.metadata().get("qvg.format"));
                if (!quantized) {
                    describePlain(out, r);
                }
            }
            if (quantized) {
                // streamed: every check of QuantizedKvFile.read, without holding the entries' data,
                // so a cache larger than the heap can be inspected
                try (QuantizedKvStreamReader c = QuantizedKvStreamReader.open(file)) {
                    describeQuantized(out, c);
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void describePlain(PrintWriter out, SafeTensorsReader r) {
        out.printf(Locale.ROOT, "%s: safetensors, %d tensors%n", file, r.names().size());
        for (String n : r.names()) {
            TensorInfo t = r.info(n);
            out.printf(Locale.ROOT, "  %-20s %-5s %-22s %,d bytes%n", n, t.dtype(), t.shapeString(), t.byteLength());
        }
        if (!r.metadata().isEmpty()) {
            out.println("metadata:");
            for (Map.Entry<String, String> e : r.metadata().entrySet()) {
                out.println("  " + e.getKey() + " = " + e.getValue());
            }
        }
    }

    private void describeQuantized(PrintWriter out, QuantizedKvStreamReader c) throws java.io.IOException {
        out.printf(Locale.ROOT, "%s: qvg quantized cache (format %s version %s, checksums verified), %d entries%n", file,
                QuantizedKvFile.FORMAT, c.metadata().get("qvg.format_version"), c.entries().size());
        QuantizerConfig cfg = c.config();
        if (cfg != null) {
            out.println("config: " + cfg.label());
            out.printf(Locale.ROOT,
                    "  method %s, backend %s, stages %d, bits %d, block %d, %s, scales %s, clusters %d, iters %d, tol %s, seed %d, init %s%n",
                    cfg.method(), cfg.backend(), cfg.stages(), cfg.quant().bits(), cfg.quant().blockSize(),
                    cfg.quant().symmetric() ? "symmetric" : "asymmetric",
                    cfg.quant().scalePrecision().name().toLowerCase(Locale.ROOT), cfg.kmeans().clusters(),
                    cfg.kmeans().maxIters(), cfg.kmeans().tol(), cfg.kmeans().seed(),
                    cfg.kmeans().init().name().toLowerCase(Locale.ROOT));
        }
        BitBudget total = null;
        for (String name : c.entries()) {
            QuantizedKvStreamReader.Entry q = c.entry(name);
            BitBudget b = q.budget();
            total = total == null ? b : total.plus(b);
            int n = q.shape().slices(), D = q.shape().headDim(), Sq = q.quantizedTokens();
            out.printf(Locale.ROOT, "entry %s: %s %s, method %s, %s, %d of %d tokens quantized%n", name, q.shape(),
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
