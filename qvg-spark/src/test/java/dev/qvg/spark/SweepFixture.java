package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;

/**
 * What the sweep tests share: one local Spark session for the whole test JVM (2 threads, 4 attempts
 * per task, as {@code ./qvg-sweep} runs), a small corpus written in the test, and a way to run the
 * command in-process and read its outputs.
 */
final class SweepFixture {

    /** The settings every test sweep uses: small k-means so that a sweep takes seconds. */
    static final String[] QUICK = {"--clusters", "8", "--iters", "6", "--no-plot", "--quiet"};

    private static SparkSession spark;

    private SweepFixture() {
    }

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = Sessions.open("local[2]");
        }
        return spark;
    }

    /** Output of one command run. */
    record Run(int code, String out, String err) {
    }

    static Run sweep(String... args) {
        SweepCommand cmd = new SweepCommand();
        cmd.session = spark();
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = SweepMain.run(cmd, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), args);
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static String[] args(String[] first, String... more) {
        List<String> a = new ArrayList<>(List.of(first));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Keys and values of a video-like layer: per-channel scales, a few outlier channels, a drifting mean per head. */
    static KvTensor tensor(KvShape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[s.numel()];
        int D = s.headDim(), S = s.tokens();
        for (int slice = 0; slice < s.slices(); slice++) {
            double drift = r.nextDouble(-1, 1);
            for (int t = 0; t < S; t++) {
                for (int d = 0; d < D; d++) {
                    double scale = 0.5 + 2.5 * d / D + (d % 17 == 3 ? 6 : 0);
                    x[(slice * S + t) * D + d] = (float) (scale * r.nextGaussian() + drift * Math.sin(0.1 * t + d));
                }
            }
        }
        return KvTensor.wrap(s, x);
    }

    /** A safetensors file of K and V tensors named {@code k} and {@code v}. */
    static Path kvFile(Path file, KvShape shape, DType dtype, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, KvTensor> m = new LinkedHashMap<>();
        m.put("k", tensor(shape, seed));
        m.put("v", tensor(shape, seed + 1));
        KvFiles.write(file, m, dtype, Layout.BHSD, true);
        return file;
    }

    static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(Json.read(line));
        }
        return out;
    }

    /** {@code row} without the fields that are wall-clock times (they differ from run to run). */
    static ObjectNode withoutTimes(JsonNode row) {
        ObjectNode o = ((ObjectNode) row).deepCopy();
        o.remove(List.of("seconds", "quantize_seconds", "dequantize_seconds"));
        return o;
    }

    /** {@code row} without the fields the sweep adds to eval's. */
    static ObjectNode evalFields(JsonNode row) {
        ObjectNode o = withoutTimes(row);
        o.remove(List.of("file", "prompt", "layer", "heads", "batch", "head", "slice", "sum_sq_err", "sum_sq_ref"));
        return o;
    }
}
