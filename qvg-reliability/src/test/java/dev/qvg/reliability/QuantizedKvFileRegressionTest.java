package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.io.CorruptFileException;
import dev.qvg.io.QuantizedKvFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings of the fuzzers on {@link QuantizedKvFile#read}, kept as named regressions. Each file is
 * correctly signed (as another program writing the format would sign it), so the checksums pass
 * and the decoder behind them must refuse the content itself; before the fix each one escaped as
 * a {@code NullPointerException} instead of the documented {@link CorruptFileException}.
 */
class QuantizedKvFileRegressionTest {

    @TempDir
    Path dir;

    private static RawSafeTensors valid() {
        return RawSafeTensors.parse(SeedCorpus.load(SeedCorpus.QUANTIZED_DIR).get("valid-rtn.qvg.safetensors"));
    }

    private CorruptFileException refused(RawSafeTensors f, String part, String fragment) throws IOException {
        Path p = Files.write(dir.resolve("forged.qvg.safetensors"), f.sign().encode());
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> QuantizedKvFile.read(p));
        assertEquals(p, e.file());
        assertEquals(part, e.part());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        return e;
    }

    /** quantized_tokens > 0 but no codes tensor: QuantizedKv's requireNonNull(blocks) escaped. */
    @Test
    void quantizedTokensWithoutCodes() throws IOException {
        RawSafeTensors f = valid();
        f.tensors.remove("k.codes");
        refused(f, "entry 'k'", "entry 'k'");
    }

    /** {@code k.info = {"a":null}}: Jackson maps the null, Map.copyOf in QuantizedKv threw NPE. */
    @Test
    void nullValueInEntryInfo() throws IOException {
        RawSafeTensors f = valid();
        f.metadata.put("k.info", "{\"a\":null}");
        refused(f, "entry 'k'", "info");
    }

    /** {@code qvg.config.params = {"a":null}}: Map.copyOf in QuantizerConfig threw NPE. */
    @Test
    void nullValueInConfigParams() throws IOException {
        RawSafeTensors f = valid();
        f.metadata.put("qvg.config.params", "{\"a\":null}");
        refused(f, "metadata 'qvg.config.*'", "params");
    }
}
