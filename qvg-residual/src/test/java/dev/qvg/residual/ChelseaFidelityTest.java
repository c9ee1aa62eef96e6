package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.testing.Claims;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fidelity on data nobody here tuned for (issue 4): {@code chelsea-kv.safetensors} through the
 * public API, against what a faithful port of the original gets ({@code chelsea-expected.jsonl}):
 * bits per value exactly; relative L2 within {@link #RTN_TOLERANCE} of each RTN figure (measured:
 * at most about 2e-4) and within {@link #KMEANS_TOLERANCE} of each k-means figure (measured: at
 * most 0.6% on the default rows, 1.2% on the 4-stage PRQ rows), tight enough that a wrong
 * initialisation or stopping rule fails. The reference backend is slow (plain loops): the whole
 * table takes about 50 s on the 2-core build machine, of which the two 4-stage PRQ rows take
 * 26 s, so those are tagged {@code slow} ({@code mvn -Pslow}) and the other 14 rows run by default.
 *
 * <p>The data lives beside the checkout ({@code ../shared/data}, or {@code -Dqvg.data=DIR}). The
 * claim rests on it: where it is missing the test skips saying so, and fails when the {@code CI}
 * environment variable is set ({@link Claims}).
 */
class ChelseaFidelityTest {

    static final Path DATA = Claims.sharedData();
    static final double RTN_TOLERANCE = 5e-4;
    static final double KMEANS_TOLERANCE = 0.015;

    record Row(String tensor, String method, int bits, int block, int stages, boolean asymmetric, int clusters,
               double relL2, double bitsPerValue, String kmeansIters) {

        /** Rows under about 5 s each on the reference backend; 4-stage PRQ takes 10 to 16 s. */
        boolean fast() {
            return stages < 4;
        }

        @Override
        public String toString() {
            return tensor + " " + method + (method.equals("prq") ? stages : "") + " int" + bits
                    + (asymmetric ? " asym" : " sym");
        }
    }

    static List<Row> rows() throws IOException {
        Path expected = DATA.resolve("chelsea-expected.jsonl");
        if (!Files.exists(expected)) {
            return List.of();
        }
        ObjectMapper json = new ObjectMapper();
        List<Row> out = new ArrayList<>();
        for (String line : Files.readAllLines(expected)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            out.add(new Row(n.get("tensor").asText(), n.get("method").asText(), n.get("bits").asInt(),
                    n.get("block").asInt(), n.get("stages").asInt(), n.get("asymmetric").asBoolean(),
                    n.get("clusters").asInt(), n.get("rel_l2").asDouble(), n.get("bits_per_value").asDouble(),
                    n.get("kmeans_iters").toString()));
        }
        return out;
    }

    static Stream<Arguments> fastRows() throws IOException {
        return rows().stream().filter(Row::fast).map(Arguments::of);
    }

    static Stream<Arguments> slowRows() throws IOException {
        return rows().stream().filter(r -> !r.fast()).map(Arguments::of);
    }

    @Test
    void theExpectationsAndTheDataArePresent() throws IOException {
        Claims.requireFile(DATA.resolve("chelsea-kv.safetensors"), "the real-photo KV data");
        Claims.requireFile(DATA.resolve("chelsea-expected.jsonl"), "the original implementation's figures");
        List<Row> rows = rows();
        assertEquals(16, rows.size(), "rows of " + DATA.resolve("chelsea-expected.jsonl"));
        assertEquals(14, rows.stream().filter(Row::fast).count(), "rows run by default");
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true) // no rows without the data: the test above says why
    @MethodSource("fastRows")
    void fastRowsMatchTheOriginal(Row row) throws IOException {
        check(row);
    }

    @Tag("slow")
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("slowRows")
    void remainingRowsMatchTheOriginal(Row row) throws IOException {
        check(row);
    }

    static QuantizerConfig config(Row row) {
        // The published settings the expected file states: 100 iterations, tol 1e-4, bf16 scales, seed 0.
        return QuantizerConfig.builder().method(row.method()).bits(row.bits()).blockSize(row.block())
                .symmetric(!row.asymmetric()).stages(row.stages()).clusters(row.clusters()).maxIters(100).seed(0)
                .build();
    }

    private static void check(Row row) throws IOException {
        Path file = DATA.resolve("chelsea-kv.safetensors");
        Claims.requireFile(file, "the real-photo KV data");
        KvTensor x;
        try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
            x = r.kvTensor(row.tensor());
        }
        Quantizer q = Fixtures.quantizer(config(row));
        KvRole role = row.tensor().equals("k") ? KvRole.KEY : KvRole.VALUE;
        long t0 = System.nanoTime();
        QuantizedKv code = q.quantize(x, role);
        double rel = Fixtures.relL2(x, q.dequantize(code));
        System.out.printf("chelsea %-16s rel_l2 %.6f expected %.6f (%+.4f%%) bits %.4f iters %s expected %s, %.1f s%n",
                row, rel, row.relL2(), 100 * (rel / row.relL2() - 1), code.budget().bitsPerValue(),
                Arrays.deepToString(code.kmeansIterations()), row.kmeansIters(), (System.nanoTime() - t0) / 1e9);
        assertEquals(row.bitsPerValue(), code.budget().bitsPerValue(), 1e-12, row + " bits per value");
        double tolerance = row.method().equals("rtn") ? RTN_TOLERANCE : KMEANS_TOLERANCE;
        assertTrue(Math.abs(rel / row.relL2() - 1) <= tolerance, row + ": relative L2 " + rel + " is not within "
                + tolerance * 100 + "% of the original's " + row.relL2());
    }
}
