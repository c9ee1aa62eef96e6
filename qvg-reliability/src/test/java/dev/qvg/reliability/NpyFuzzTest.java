package dev.qvg.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/** Coverage-guided fuzzing of {@code Npy} (header, plain read, K/V read) and the npy path of {@code KvFiles}. */
class NpyFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void npy(byte[] input) throws IOException {
        ReaderTargets.run(input, ReaderTargets::npy);
        ReaderTargets.run(input, ReaderTargets::kvFiles);
        ReaderTargets.run(input, ReaderTargets::inspect);
    }
}
