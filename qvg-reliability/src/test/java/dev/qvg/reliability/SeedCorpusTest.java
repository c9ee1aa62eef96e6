package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.qvg.io.CorruptFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The committed seed corpus, checked both ways: every {@code valid-*} file reads, every
 * {@code hostile-*} and {@code crash-*} file is refused with {@link CorruptFileException}
 * naming the file. Jazzer's regression mode only proves nothing unexpected escapes; this proves
 * the readers still accept what they should (a reader that refused everything would pass fuzzing).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SeedCorpusTest {

    @Test
    @EnabledIfSystemProperty(named = "qvg.regenerateCorpus", matches = "true")
    void regenerate() throws IOException {
        SeedCorpus.writeTo(Path.of("src/test/resources"));
    }

    @TestFactory
    List<DynamicTest> safeTensorsSeeds() {
        return cases(SeedCorpus.SAFETENSORS_DIR, ReaderTargets::safeTensors, "valid-empty-and-scalar");
    }

    @TestFactory
    List<DynamicTest> safeTensorsSeedsThroughFormatSniffing() {
        return cases(SeedCorpus.SAFETENSORS_DIR, ReaderTargets::kvFiles, "valid-integer-dtypes", "valid-empty-and-scalar",
                "valid-header-only");
    }

    @TestFactory
    List<DynamicTest> npySeeds() {
        return cases(SeedCorpus.NPY_DIR, ReaderTargets::npy, "valid-f32-rank3", "valid-v3-header");
    }

    @TestFactory
    List<DynamicTest> quantizedSeeds() {
        return cases(SeedCorpus.QUANTIZED_DIR, ReaderTargets::quantized);
    }

    /**
     * One test per committed file. {@code refusedAnyway} names valid files this read path may
     * still refuse: a rank-1 or empty array is a fine npy or safetensors file but no K/V tensor.
     */
    private static List<DynamicTest> cases(String dir, ReaderTargets.Target target, String... refusedAnyway) {
        Map<String, byte[]> seeds = SeedCorpus.load(dir);
        assertFalse(seeds.isEmpty(), "no seeds in " + dir);
        assertTrue(seeds.keySet().stream().anyMatch(n -> n.startsWith("valid-")), "no valid seed in " + dir);
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            String name = e.getKey();
            boolean mayRefuse = List.of(refusedAnyway).stream().anyMatch(name::startsWith);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                if (name.startsWith("valid-") && !mayRefuse) {
                    Path p = Scratch.write(e.getValue());
                    try {
                        target.read(p);
                    } catch (CorruptFileException ex) {
                        fail("valid seed " + name + " refused: " + ex.getMessage(), ex);
                    }
                } else if (name.startsWith("valid-")) {
                    ReaderTargets.run(e.getValue(), target);
                } else {
                    Path p = Scratch.write(e.getValue());
                    CorruptFileException ex = assertThrows(CorruptFileException.class, () -> target.read(p),
                            name + " must be refused");
                    assertTrue(ex.getMessage().startsWith(p + ": "), ex.getMessage());
                    // The checked, bounded path too: allocation proportional to the input.
                    ReaderTargets.run(e.getValue(), target);
                }
            }));
        }
        return tests;
    }
}
