package dev.qvg.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.tck.ConformanceReport;
import dev.qvg.tck.ConformanceReport.Entry;
import dev.qvg.tck.ConformanceReport.Status;
import dev.qvg.tck.ConformanceRunner;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The kit must reject a wrong backend, and say where: each broken variant is run through the
 * launcher-based {@link ConformanceRunner} (as {@code qvg conformance} would) and must fail in
 * exactly the tests that concern its bug, while everything else still passes.
 */
class BrokenBackendsFailTheKitTest {

    private static final ConformanceRunner.Options OPTIONS = ConformanceRunner.Options.defaults().withSeed(20261125L);

    private static Set<String> failedGroups(ConformanceReport r) {
        return r.failures().stream().map(Entry::group).collect(Collectors.toSet());
    }

    @Test
    void int2PackedLeastSignificantFirstFailsTheByteLayoutTests() {
        ConformanceReport r = ConformanceRunner.run("broken-int2-order", BrokenBackends::int2LsbFirst, OPTIONS);
        String table = r.table();
        assertFalse(r.passed(), table);
        assertEquals("broken-int2-order", r.backend());
        // The concurrency group re-checks quantizePack from several threads with random configs, so it
        // fails too when one of them is INT2 (it is, for this seed).
        assertTrue(failedGroups(r).containsAll(Set.of("block quantization", "pipelines")), table);
        assertTrue(Set.of("block quantization", "pipelines", "concurrency").containsAll(failedGroups(r)), table);
        List<Entry> fails = r.failures();
        // Every hand-computed INT2 golden array is wrong (their bytes are not palindromes),
        // and nothing but INT2 fails in block quantization.
        for (String golden : List.of("int2-sym-bf16-basic", "int2-sym-bf16-half-away", "int2-sym-fp8-round-first",
                "int2-sym-fp8-saturated")) {
            assertTrue(fails.stream().anyMatch(e -> e.test().contains("goldenBytes") && e.test().contains(golden)),
                    golden + " must fail:\n" + table);
        }
        assertTrue(fails.stream().filter(e -> e.group().equals("block quantization"))
                .allMatch(e -> e.test().contains("int2")), table);
        assertTrue(r.find("int4").stream().allMatch(e -> e.status() == Status.PASSED), table);
        // Its own decoder reads MSB first, so its output does not decode to what it quantized:
        // the end-to-end check that every stored value decodes as ReferenceDecoder says fails too.
        assertTrue(fails.stream().anyMatch(e -> e.test().contains("pipelineWithinToleranceOfReference")), table);
    }

    @Test
    void tiesToTheHighestIndexFailTheTieTest() {
        ConformanceReport r = ConformanceRunner.run("broken-ties", BrokenBackends::tiesToHighest, OPTIONS);
        String table = r.table();
        assertFalse(r.passed(), table);
        // The concurrency group re-checks assign on exact ties from several threads, so it fails too.
        assertEquals(Set.of("k-means kernels", "concurrency"), failedGroups(r), table);
        assertTrue(r.failures().stream().anyMatch(e -> e.test().contains("assignExactTiesGoToLowestIndex")
                && e.message().contains("the lower index must win")), table);
        assertTrue(r.count(Status.PASSED) > 250, table);
    }
}
