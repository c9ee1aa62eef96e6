package dev.qvg.models.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.Seeds;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.plan.BudgetFormula;
import dev.qvg.models.testing.Data;
import org.junit.jupiter.api.Test;

/** The cache on the registered methods (qvg-residual, qvg-smoothing) and the CPU backend. */
class RegistryCacheTest {

    static final int T = 32;
    static final CacheShape SHAPE = new CacheShape(1, 2, 64, T, 8);
    static final QuantizerConfig PRQ = QuantizerConfig.builder().clusters(16).maxIters(8).build();

    private static StreamingKvCache prqCache(int layer, long seed) {
        return new StreamingKvCache(SHAPE, new CachePolicy(2, 0, 0), SpanQuantizer.reseeding(PRQ), KvRole.KEY, layer,
                seed);
    }

    @Test
    void spansAreSeededBySeedLayerAndSpanAndAreReproducible() {
        KvTensor data = Data.keys(new KvShape(1, 2, 8 * T, 64), 3);
        StreamingKvCache a = prqCache(0, 42), b = prqCache(0, 42), other = prqCache(1, 42);
        a.append(0, data);
        b.append(0, data);
        other.append(0, data);
        assertEquals(4, a.spans().size());
        for (int j = 0; j < 4; j++) {
            var sa = a.spans().get(j);
            assertEquals(Seeds.derive(42, 0, j), sa.seed());
            assertEquals(Seeds.derive(42, 1, j), other.spans().get(j).seed());
            var sb = b.spans().get(j);
            assertArrayEquals(sa.data().blocks().codes(), sb.data().blocks().codes());
            assertArrayEquals(sa.data().stages().get(0).centroids(), sb.data().stages().get(0).centroids());
            assertArrayEquals(sa.data().stages().get(0).ids(), sb.data().stages().get(0).ids());
            assertEquals(PRQ.kmeans().clusters(), sa.data().stages().get(0).clusters());
        }
        assertArrayEquals(a.read(0, 8 * T).data(), b.read(0, 8 * T).data());
        assertNotEquals(a.spans().get(0).seed(), a.spans().get(1).seed());
    }

    @Test
    void bytesMatchThePlannerFormulaAndErrorIsSmall() {
        KvTensor data = Data.keys(new KvShape(1, 2, 8 * T, 64), 4);
        StreamingKvCache c = prqCache(0, 1);
        c.append(0, data.tokenRange(0, 3 * T));
        // Span [0, 2) quantized, chunk 2 BF16.
        long span = new BudgetFormula(PRQ).budget(SHAPE.kvShape(2 * T), KvRole.KEY).totalBytes();
        assertEquals(span + 2L * SHAPE.chunkValues(), c.bytes());
        ErrorMetrics e = ErrorMetrics.compare(data.tokenRange(0, 3 * T).data(), c.read(0, 3 * T).data(), 64);
        assertTrue(e.relL2() > 0 && e.relL2() < 0.5, "relL2 " + e.relL2());
    }

    @Test
    void everyRegisteredMethodRunsInTheCache() {
        KvTensor data = Data.keys(new KvShape(1, 2, 4 * T, 64), 5);
        for (String method : new String[] {"rtn", "rtn-clip", "kivi", "sas", "prq"}) {
            QuantizerConfig cfg = PRQ.toBuilder().method(method).param("kivi_residual_tokens", String.valueOf(16)).build();
            StreamingKvCache c = new StreamingKvCache(SHAPE, new CachePolicy(2, 0, 0), SpanQuantizer.reseeding(cfg),
                    KvRole.VALUE, 0, 9);
            c.append(0, data);
            assertEquals(2, c.spans().size(), method);
            long expected = 2 * new BudgetFormula(cfg).budget(SHAPE.kvShape(2 * T), KvRole.VALUE).totalBytes();
            assertEquals(expected, c.bytes(), method);
            assertFalse(c.read(0, 4 * T).data().length == 0);
        }
    }
}
