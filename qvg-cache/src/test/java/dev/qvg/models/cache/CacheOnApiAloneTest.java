package dev.qvg.models.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.ProviderNotFoundException;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.models.testing.Data;
import dev.qvg.models.testing.HandRtnQuantizer;
import org.junit.jupiter.api.Test;

/**
 * The cache needs qvg-api alone (issue 17): this module's test class path has neither ND4J nor
 * Guice nor any provider, and the cache still runs (on a quantizer built by hand); assembling
 * one from the registry says in one line which jar to add.
 */
class CacheOnApiAloneTest {

    @Test
    void neitherNd4jNorGuiceIsOnTheClassPath() {
        for (String c : new String[] {"org.nd4j.linalg.factory.Nd4j", "com.google.inject.Guice", "dev.qvg.inject.Pipelines"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(c), c);
        }
    }

    @Test
    void theCacheRunsOnAQuantizerBuiltByHand() {
        CacheShape shape = new CacheShape(1, 2, 64, 4, 6);
        HandRtnQuantizer q = new HandRtnQuantizer(QuantizerConfig.builder().method("rtn").backend("x").clusterer("x")
                .smoother("x").residual("x").build());
        StreamingKvCache c = new StreamingKvCache(shape, new CachePolicy(2, 0, 0), SpanQuantizer.fixed(q), KvRole.KEY, 0, 7);
        for (int i = 0; i < 4; i++) {
            c.append(i * 4, Data.keys(new KvShape(1, 2, 4, 64), i));
        }
        assertEquals(2, c.spans().size(), "4 chunks in spans of 2");
        assertEquals(2, q.calls);
    }

    @Test
    void aPartNotOnTheClassPathIsOneLineNamingTheJar() {
        QuantizerConfig cfg = QuantizerConfig.builder().method("prq").backend("cpu").clusterer("kmeans").smoother("sas")
                .residual("prq").build();
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class, () -> SpanQuantizer.reseeding(cfg));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("no method provider named 'prq'"), e.getMessage());
        assertTrue(e.getMessage().contains("qvg's own: dev.qvg:qvg-residual; the whole default pipeline: dev.qvg:qvg-all"),
                e.getMessage());
    }
}
