package dev.qvg.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.List;

/**
 * Coverage-guided fuzzing of the quantized-cache decoder behind the checksums: the input drives
 * {@link QuantizedFileForge}'s structural edits of a valid seed, the forged file is correctly
 * signed, so every check of the metadata, shapes, dtypes, ids and budget is reached.
 */
class ForgedQuantizedFileFuzzTest {

    static final List<RawSafeTensors> BASES = SeedCorpus.load(SeedCorpus.QUANTIZED_DIR).entrySet().stream()
            .filter(e -> e.getKey().startsWith("valid-"))
            .map(e -> RawSafeTensors.parse(e.getValue()))
            .toList();

    @FuzzTest(maxDuration = "60s")
    void forgedButSigned(byte[] input) throws IOException {
        byte[] forged = QuantizedFileForge.forge(BASES, input);
        ReaderTargets.run(forged, ReaderTargets::quantized);
        ReaderTargets.run(forged, ReaderTargets::inspect);
    }
}
