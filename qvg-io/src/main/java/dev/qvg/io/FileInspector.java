package dev.qvg.io;

import dev.qvg.api.quant.BitBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * A human-readable description of any file this module reads, for {@code qvg inspect FILE}:
 * tensors, dtypes and shapes; for a quantized cache also the config, each entry's layout and
 * its bit accounting per component. A quantized cache is fully verified (checksums) first.
 */
public final class FileInspector {

    private FileInspector() {
    }

    public static String describe(Path path) throws IOException {
        StringBuilder sb = new StringBuilder();
        long size = Files.size(path);
        if (KvFiles.isNpy(path)) {
            Npy.Header h = Npy.readHeader(path, ReadLimits.defaults());
            sb.append(path).append(": npy, ").append(size).append(" bytes\n");
            sb.append("  array: ").append(h.dtype()).append(' ').append(Arrays.toString(h.shape())).append('\n');
            return sb.toString();
        }
        Map<String, String> meta;
        try (SafeTensorsReader r = SafeTensorsReader.open(path)) {
            meta = r.metadata();
            boolean quantized = QuantizedKvFile.FORMAT.equals(meta.get(QuantizedKvFile.KEY_FORMAT));
            sb.append(path).append(": ").append(quantized ? "qvg quantized cache (safetensors)" : "safetensors")
                    .append(", ").append(size).append(" bytes, ").append(r.names().size()).append(" tensors\n");
            for (String n : r.names()) {
                TensorInfo t = r.info(n);
                sb.append("  tensor ").append(EntryNames.printable(n)).append(": ").append(t.dtype()).append(' ').append(t.shapeString())
                        .append(", ").append(t.byteLength()).append(" bytes\n");
            }
            if (!quantized) {
                meta.forEach((k, v) -> sb.append("  metadata ").append(EntryNames.printable(k)).append(" = ")
                        .append(EntryNames.printable(v)).append('\n'));
                return sb.toString();
            }
        }
        // Streamed: every check of QuantizedKvFile.read, without holding the file's data.
        try (QuantizedKvStreamReader c = QuantizedKvStreamReader.open(path)) {
            sb.append("  format version ").append(meta.get(QuantizedKvFile.KEY_VERSION)).append(", checksums verified\n");
            if (c.config() != null) {
                sb.append("  config: ").append(c.config().label()).append(" (").append(c.config()).append(")\n");
            }
            BitBudget total = null;
            for (String name : c.entries()) {
                QuantizedKvStreamReader.Entry q = c.entry(name);
                sb.append("  entry ").append(EntryNames.printable(name))
                        .append(q.key().equals(name) ? "" : " (key " + q.key() + ")").append(": ").append(q.role()).append(' ').append(q.shape())
                        .append(", method ").append(q.method()).append(", ").append(q.orientation())
                        .append(", quantized tokens ").append(q.quantizedTokens()).append('\n');
                if (q.blocks() != null) {
                    var cfg = q.blocks();
                    sb.append("    blocks: ").append(cfg.bits()).append(" bits, block ").append(cfg.blockSize())
                            .append(cfg.symmetric() ? ", symmetric" : ", asymmetric").append(", scales ")
                            .append(cfg.scalePrecision()).append('\n');
                }
                for (int i = 0; i < q.clusters().size(); i++) {
                    sb.append("    stage ").append(i).append(": ").append(q.clusters().get(i))
                            .append(" clusters, k-means iterations ").append(Arrays.toString(c.iterations(name, i)))
                            .append('\n');
                }
                BitBudget b = q.budget();
                appendBudget(sb, "    bits", b);
                if (!q.info().isEmpty()) {
                    sb.append("    info: ").append(q.info()).append('\n');
                }
                total = total == null ? b : total.plus(b);
            }
            if (c.entries().size() > 1) {
                appendBudget(sb, "  all entries", total);
            }
        }
        return sb.toString();
    }

    private static void appendBudget(StringBuilder sb, String label, BitBudget b) {
        sb.append(label).append(String.format(Locale.ROOT,
                ": %.4f bits/value, compression %.3fx vs BF16 (codes %d, scales %d, zeros %d, ids %d, centroids %d, "
                        + "full precision %d; total %d bits)%n",
                b.bitsPerValue(), b.compressionRatio(), b.codeBits(), b.scaleBits(), b.zeroBits(), b.idBits(),
                b.centroidBits(), b.fullPrecisionBits(), b.totalBits()));
    }
}
