package dev.qvg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fixture's figures, worked by hand:
 * <ul>
 *   <li>copy: 2 x 128 MiB = 268,435,456 B in 10 ms (1 thread) = 26.8435456 GB/s, the best;</li>
 *   <li>SGEMM S=4096: 2 x 4096 x 256 x 128 = 268,435,456 FLOP in 2 ms (2 threads) = 134.217728 GFLOP/s;</li>
 *   <li>k-means iteration S=4096: the same FLOP in 20 ms = 13.42 GFLOP/s = exactly 10% of SGEMM;</li>
 *   <li>unpack+dequant S=4096 INT2: codes 32 B + scales 2 x 2 B per token = 147,456 B in, 4096 x 128 x 4
 *       = 2,097,152 B out, 2,244,608 B in 0.2 ms = 11.22304 GB/s = 41.81% of the copy;</li>
 *   <li>decode adds ids 4 x 4096 and centroids 2 x 256 x 128: 2,326,528 B in 0.4 ms = 21.67%;</li>
 *   <li>quantize+pack INT4 (500 ops/s): 2,097,152 B in + 4096 x (64 + 4) B out = 2,375,680 B in 2 ms;</li>
 *   <li>SAS compression S=4096, 2 threads: 20 iterations x 268,435,456 FLOP in 400 ms = 10% of SGEMM, and
 *       20 x the 10 ms k-means iteration is 50% of its time.</li>
 * </ul>
 */
class AnalysisTest {

    private final Analysis a = Analysis.of(FixtureResults.results());

    private Figure find(String key, int s, int threads) {
        return a.figures().stream()
                .filter(f -> f.spec().key().equals(key) && f.s() == s && f.threads() == threads)
                .findFirst().orElseThrow(() -> new AssertionError("no row " + key + " S=" + s + " t=" + threads));
    }

    @Test
    void limitsAreTheBestMeasured() {
        assertEquals(26_843_545_600.0, a.limits().bandwidth(), 1e-3);
        assertEquals(134_217_728_000.0, a.limits().flops(4096), 1e-3);
        // No SGEMM at 16384: the nearest measured size stands in.
        assertEquals(134_217_728_000.0, a.limits().flops(16384), 1e-3);
    }

    @Test
    void flopBoundFractionsAreAgainstSgemm() {
        assertEquals(0.10, find("KMeansBenchmark.iteration", 4096, 1).fraction(), 1e-12);
        assertEquals(0.20, find("KMeansBenchmark.iteration", 4096, 2).fraction(), 1e-12);
        assertEquals(0.20, find("KMeansBenchmark.iteration", 16384, 2).fraction(), 1e-12);
        assertEquals(13_421_772_800.0, find("KMeansBenchmark.iteration", 4096, 1).rate(), 1e-3);
    }

    @Test
    void memoryBoundFractionsAreAgainstCopyBandwidth() {
        Figure one = find("BlockCodecBenchmark.unpackDequant", 4096, 1);
        assertEquals(2_244_608.0, one.work().bytes());
        assertEquals(11_223_040_000.0, one.rate(), 1e-3);
        assertEquals(11_223_040_000.0 / 26_843_545_600.0, one.fraction(), 1e-12);
        assertFalse(one.flagged(), "41.8% is above the 30% line");

        Figure decode = find("BlockCodecBenchmark.decode", 4096, 2);
        assertEquals(2_326_528.0, decode.work().bytes());
        assertEquals(2_326_528.0 / 0.0004 / 26_843_545_600.0, decode.fraction(), 1e-12);
        assertTrue(decode.flagged(), "21.7% is below the 30% line");

        Figure pack = find("BlockCodecBenchmark.quantizePack", 4096, 2);
        assertEquals(2_375_680.0, pack.work().bytes(), "the bits parameter (4) sets the code bytes");
        assertEquals(2_375_680.0 / 0.002 / 26_843_545_600.0, pack.fraction(), 1e-12);
    }

    @Test
    void scalingWithThreadsAndWithS() {
        assertEquals(2.0, a.threadSpeedup(find("KMeansBenchmark.iteration", 4096, 2)), 1e-12);
        assertEquals(2.0, a.threadSpeedup(find("BlockCodecBenchmark.unpackDequant", 4096, 1)), 1e-12);
        assertTrue(Double.isNaN(a.threadSpeedup(find("KMeansBenchmark.iteration", 16384, 2))), "one thread count only");
        assertEquals(1.0, Analysis.exponent(find("KMeansBenchmark.iteration", 4096, 2),
                find("KMeansBenchmark.iteration", 16384, 2)), 1e-12);
    }

    @Test
    void interpolatesAsAPowerLawAtTheMostThreads() {
        assertEquals(0.020, a.secondsAt("KMeansBenchmark.iteration", "cpu", 8192).orElseThrow(), 1e-12);
        assertEquals(0.160, a.secondsAt("KMeansBenchmark.iteration", "cpu", 65536).orElseThrow(), 1e-12);
        assertEquals(0.005, a.secondsAt("KMeansBenchmark.iteration", "cpu", 2048).orElseThrow(), 1e-12);
        // One size only: proportional to S.
        assertEquals(0.0008, a.secondsAt("BlockCodecBenchmark.decode", "cpu", 8192).orElseThrow(), 1e-12);
        assertTrue(a.secondsAt("KMeansBenchmark.iteration", "cuda", 4096).isEmpty());
    }

    @Test
    void flaggedRowsGiveTheKnownCauseAndTheMeasuredEvidence() {
        Figure it = find("KMeansBenchmark.iteration", 4096, 1);
        assertTrue(it.flagged());
        String why = a.reason(it);
        assertTrue(why.contains("x2.00"), why);
        assertTrue(why.contains("instruction throughput"), why);
        assertFalse(find("MemoryCopyBenchmark.copy", -1, 1).flagged(), "a limit is never flagged");
    }

    @Test
    void compressionIsComparedWithItsKMeansIterations() {
        Figure sas = find("CompressBenchmark.sasCompress", 4096, 2);
        assertEquals(0.10, sas.fraction(), 1e-12);
        assertEquals(0.5, a.kmeansShare(sas), 1e-12);
        String why = a.reason(sas);
        assertTrue(why.contains("20 k-means iterations") && why.contains("50%"), why);
        assertTrue(Double.isNaN(a.kmeansShare(find("KMeansBenchmark.iteration", 4096, 2))));
    }

    @Test
    void unknownBenchmarksAreKeptApart() {
        List<BenchResult> unknown = a.unknown();
        assertEquals(1, unknown.size());
        assertEquals("OtherBenchmark.run", unknown.get(0).shortName());
    }
}
