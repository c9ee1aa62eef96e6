package dev.qvg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JmhJsonTest {

    @Test
    void readsEveryRowWithParamsScoreAndSettings() {
        List<BenchResult> rs = FixtureResults.results();
        assertEquals(17, rs.size());
        BenchResult it = rs.get(4);
        assertEquals("dev.qvg.bench.KMeansBenchmark.iteration", it.benchmark());
        assertEquals("KMeansBenchmark.iteration", it.shortName());
        assertEquals(4096, it.intParam("S"));
        assertEquals("cpu", it.param("backend"));
        assertEquals(20.0, it.score());
        assertEquals(1.5, it.error());
        assertEquals(0.075, it.relativeError(), 1e-12);
        assertEquals("-f 1 -wi 1 -i 3 -w 1s -r 1s -t 1", it.settings().asFlags());
        assertEquals(List.of("-Xmx6g"), it.settings().jvmArgs());
        assertTrue(Double.isNaN(rs.get(0).error()), "JMH writes a single iteration's error as the string NaN");
    }

    @Test
    void theFastestIterationIsKeptForLimits() {
        List<BenchResult> rs = FixtureResults.results();
        for (BenchResult r : rs) {
            double best = r.bestSecondsPerOp(), mean = r.secondsPerOp();
            assertTrue(best <= mean * (1 + 1e-12), r.benchmark() + ": best " + best + " above mean " + mean);
        }
        BenchResult copy = new BenchResult("x.limits.MemoryCopyBenchmark.copy", "avgt", java.util.Map.of("threads", "2"),
                6.0, Double.NaN, "ms/op", rs.get(0).settings(), null,
                java.util.Map.of(BenchResult.PRIMARY_RAW, List.of(4.0, 7.0, 7.0)));
        assertEquals(0.006, copy.secondsPerOp(), 1e-15);
        assertEquals(0.004, copy.bestSecondsPerOp(), 1e-15);
        // The copy limit is the fastest iteration's bandwidth.
        assertEquals(2.0 * dev.qvg.bench.limits.MemoryCopyBenchmark.BYTES / 0.004, Limits.from(List.of(copy)).bandwidth(), 1.0);
    }

    @Test
    void readsTheGcProfilersAllocationPerOperation() {
        List<BenchResult> rs = FixtureResults.results();
        assertEquals(2_100_000.0, rs.get(7).allocatedBytesPerOp());
        assertEquals(100.0, rs.get(7).secondary().get("gc.alloc.rate"));
        assertTrue(Double.isNaN(rs.get(8).allocatedBytesPerOp()), "no -prof gc on that row");
    }

    @Test
    void convertsEveryUnitToSecondsPerOperation() {
        List<BenchResult> rs = FixtureResults.results();
        assertEquals(0.020, rs.get(4).secondsPerOp(), 1e-15);   // 20 ms/op
        assertEquals(0.0004, rs.get(9).secondsPerOp(), 1e-15);  // 400 us/op
        assertEquals(0.002, rs.get(10).secondsPerOp(), 1e-15);  // 500 ops/s (throughput mode)
    }

    @Test
    void refusesWhatIsNotAJmhResultArray() {
        IllegalArgumentException notArray = assertThrows(IllegalArgumentException.class,
                () -> JmhJson.parse("{\"benchmark\": \"x\"}", "in.json"));
        assertTrue(notArray.getMessage().contains("in.json") && notArray.getMessage().contains("-rf json"),
                notArray.getMessage());
        IllegalArgumentException noMetric = assertThrows(IllegalArgumentException.class,
                () -> JmhJson.parse("[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\"}]", "in.json"));
        assertTrue(noMetric.getMessage().contains("primaryMetric"), noMetric.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JmhJson.parse("not json", "in.json"));
    }

    @Test
    void refusesAnUnknownUnitNamingTheBenchmark() {
        String json = "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"primaryMetric\": {\"score\": 1.0, "
                + "\"scoreUnit\": \"furlongs/op\"}}]";
        BenchResult r = JmhJson.parse(json, "in.json").get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::secondsPerOp);
        assertTrue(e.getMessage().contains("a.B.c") && e.getMessage().contains("furlongs"), e.getMessage());
    }

    @Test
    void aMissingIntegerParameterIsNamed() {
        BenchResult copy = FixtureResults.results().get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> copy.intParam("S"));
        assertTrue(e.getMessage().contains("'S'"), e.getMessage());
        assertEquals(-1, copy.intParam("S", -1));
    }
}
