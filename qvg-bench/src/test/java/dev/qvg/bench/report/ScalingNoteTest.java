package dev.qvg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-model projection from the fixture, worked by hand for Self-Forcing (30 layers x 12 KV
 * heads, spans of 8 chunks x 3 frames x 1560 = 37,440 tokens; qvg-models' planner gives 375,960
 * tokens, 10 quantized spans per layer for 1 minute):
 * <ul>
 *   <li>the fixture's SAS compression (400 ms at S = 4096, one size, so proportional to S) is
 *       3.65625 s per head and span, x 2 x 30 x 12 x 10 spans = 26,325 s = 7.3 h;</li>
 *   <li>the fixture's quantized cache read, 2 ms for 4096 tokens, x 2 x 30 x 12 x 375,960 tokens
 *       = 132.2 s = 2.2 min for one read of the history;</li>
 *   <li>without a cache read, decode stands in: 0.4 ms / 4096 tokens per token, = 26.43 s.</li>
 * </ul>
 */
class ScalingNoteTest {

    @Test
    void projectsCompressionAndReadsPerModelFromTheMeasurements() {
        String md = ScalingNote.render(Analysis.of(FixtureResults.results()));
        String row = md.lines().filter(l -> l.startsWith("| Self-Forcing |") && l.contains("| 1 min |"))
                .findFirst().orElseThrow(() -> new AssertionError(md));
        assertTrue(row.contains("| 30 x 12 | 37440 | 1 min | 375960 | 10 |"), row);
        assertTrue(row.contains("7.3 h (439× real time)"), row);
        assertTrue(row.contains("| 2.2 min |"), row);
        assertTrue(md.contains("streaming-cache read of a quantized history"), md);
        assertEquals(1 + 8, md.lines().filter(l -> l.startsWith("| ")).count(), "header + four models x two lengths: " + md);
    }

    @Test
    void decodeStandsInWhenNoCacheReadWasMeasured() {
        List<BenchResult> noRead = FixtureResults.results().stream()
                .filter(r -> !r.shortName().startsWith("CacheReadBenchmark")).toList();
        String md = ScalingNote.render(Analysis.of(noRead));
        String row = md.lines().filter(l -> l.startsWith("| Self-Forcing |") && l.contains("| 1 min |"))
                .findFirst().orElseThrow(() -> new AssertionError(md));
        assertTrue(row.contains("| 26.43 s |"), row);
        assertTrue(md.contains("`Backend.decode` (no cache read was measured)"), md);
    }

    @Test
    void saysSoWhenNothingToProjectWasMeasured() {
        List<BenchResult> limitsOnly = FixtureResults.results().subList(0, 4);
        String md = ScalingNote.render(Analysis.of(limitsOnly));
        assertTrue(md.contains("no per-model projection"), md);
    }
}
