package dev.qvg.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of {@code SafeTensorsReader} (every read path, by dtype, both layouts).
 * In a plain {@code mvn test} this runs over the committed seeds (regression mode); with
 * {@code JAZZER_FUZZ=1} it fuzzes (see the module README for the command).
 */
class SafeTensorsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void safeTensors(byte[] input) throws IOException {
        ReaderTargets.run(input, ReaderTargets::safeTensors);
        ReaderTargets.run(input, ReaderTargets::kvFiles);
        ReaderTargets.run(input, ReaderTargets::inspect);
    }
}
