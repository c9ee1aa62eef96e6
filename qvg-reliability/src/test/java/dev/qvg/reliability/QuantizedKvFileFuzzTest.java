package dev.qvg.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of {@code QuantizedKvFile.read} on raw bytes: mostly exercises the
 * safetensors layer and the checksum gate (a mutated file almost never re-matches its SHA-256);
 * {@link ForgedQuantizedFileFuzzTest} fuzzes what lies behind the gate.
 */
class QuantizedKvFileFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void quantizedKvFile(byte[] input) throws IOException {
        ReaderTargets.run(input, ReaderTargets::quantized);
        ReaderTargets.run(input, ReaderTargets::inspect);
    }
}
