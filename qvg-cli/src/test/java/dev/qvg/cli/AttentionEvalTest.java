package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.cli.eval.KvPairs;
import dev.qvg.cli.eval.NamedTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qvg eval --attention}: attention-level error of each K/V pair (spec section 10). */
class AttentionEvalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void attentionErrorIsReportedOnBothTensorsOfThePairAndShrinksWithBits(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        CliRun r = CliRun.run("eval", "--input", in.toString(), "--method", "rtn", "--bits", "2,8", "--attention",
                "--queries", "16", "--format", "json", "--no-plot");
        assertEquals(0, r.exit(), r.toString());
        List<JsonNode> rows = new ArrayList<>();
        for (String l : r.out().lines().toList()) {
            rows.add(JSON.readTree(l));
        }
        assertEquals(4, rows.size(), r.out());
        // rows: k int2, k int8, v int2, v int8; the pair shares one attention figure per configuration
        assertEquals(rows.get(0).get("attention_rel_l2").asDouble(), rows.get(2).get("attention_rel_l2").asDouble(), 0.0);
        assertEquals(rows.get(1).get("attention_rel_l2").asDouble(), rows.get(3).get("attention_rel_l2").asDouble(), 0.0);
        double a2 = rows.get(0).get("attention_rel_l2").asDouble();
        double a8 = rows.get(1).get("attention_rel_l2").asDouble();
        // RTN int2 on keys with outlier channels moves the softmax a lot (about 1.06 measured)
        assertTrue(a2 > 0.1, "int2 attention error " + a2);
        assertTrue(a8 > 0 && a8 < a2 / 10, "int8 attention error " + a8 + " far below int2's " + a2);
    }

    @Test
    void givenQueriesMustMatchTheKeys(@TempDir Path dir) throws Exception {
        Path in = TestData.writeSmall(dir);
        float[] q = new float[1 * 2 * 5 * 64];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) Math.cos(0.37 * i);
        }
        Path good = TestData.write(dir.resolve("q.safetensors"), "q", KvTensor.wrap(new KvShape(1, 2, 5, 64), q));
        CliRun ok = CliRun.run("eval", "--input", in.toString(), "--method", "rtn", "--bits", "2", "--queries-file",
                good.toString(), "--no-plot");
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().contains("attn L2"), ok.out());

        Path bad = TestData.write(dir.resolve("q3.safetensors"), "q", KvTensor.wrap(new KvShape(1, 1, 10, 64), q));
        CliRun no = CliRun.run("eval", "--input", in.toString(), "--method", "rtn", "--bits", "2", "--queries-file",
                bad.toString(), "--no-plot");
        assertEquals(1, no.exit(), no.toString());
        assertTrue(no.err().contains("does not match keys"), no.toString());
    }

    @Test
    void pairsByNameThenBySoleKeyAndValue() {
        KvTensor t = KvTensor.zeros(new KvShape(1, 1, 4, 8));
        KvTensor other = KvTensor.zeros(new KvShape(1, 1, 5, 8));
        List<NamedTensor> layers = List.of(
                new NamedTensor("layers.0.k", dev.qvg.api.tensor.KvRole.KEY, t),
                new NamedTensor("layers.1.k", dev.qvg.api.tensor.KvRole.KEY, t),
                new NamedTensor("layers.1.v", dev.qvg.api.tensor.KvRole.VALUE, t),
                new NamedTensor("layers.0.v", dev.qvg.api.tensor.KvRole.VALUE, t));
        assertEquals(List.of(new KvPairs.Pair(0, 3), new KvPairs.Pair(1, 2)), KvPairs.find(layers));
        assertEquals(List.of(new KvPairs.Pair(1, 0)), KvPairs.find(List.of(
                new NamedTensor("values", dev.qvg.api.tensor.KvRole.VALUE, t),
                new NamedTensor("cache_K", dev.qvg.api.tensor.KvRole.KEY, t))), "one key and one value of one shape");
        assertEquals(List.of(), KvPairs.find(List.of(
                new NamedTensor("k", dev.qvg.api.tensor.KvRole.KEY, t),
                new NamedTensor("v", dev.qvg.api.tensor.KvRole.VALUE, other))), "shapes differ: no pair");
    }
}
