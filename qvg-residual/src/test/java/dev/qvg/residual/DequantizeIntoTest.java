package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code Quantizer.dequantizeInto}: each slice of the reconstruction at its place in a larger
 * array, the same floats {@code dequantize} gives, nothing else written; for the in-place path
 * (token-major, no tail: rtn, sas, prq) and the default copy (kivi keeps a full-precision window).
 */
class DequantizeIntoTest {

    @Test
    void everyMethodWritesTheSameFloatsAsDequantizeAtEachSlicePlace() {
        KvShape shape = new KvShape(1, 3, 96, 64);
        KvTensor x = Fixtures.prototypes(shape, 6, 0.1, 3L);
        String[] methods = {"rtn", "sas", "prq", "kivi"};
        for (String m : methods) {
            QuantizerConfig cfg = QuantizerConfig.builder().method(m).stages(m.equals("prq") ? 2 : m.equals("sas") ? 1 : 0)
                    .clusters(8).maxIters(10).param("kivi_residual_tokens", String.valueOf(m.equals("kivi") ? 16 : 0)).build();
            Quantizer q = Fixtures.quantizer(cfg);
            for (KvRole role : KvRole.values()) {
                QuantizedKv code = q.quantize(x, role);
                float[] want = q.dequantize(code).toBhsd().data();
                int perSlice = shape.tokens() * shape.headDim(), offset = 5, stride = perSlice + 64;
                float[] big = new float[offset + 2 * stride + perSlice + 3];
                Arrays.fill(big, Float.NaN);
                q.dequantizeInto(code, big, offset, stride);
                for (int i = 0; i < shape.slices(); i++) {
                    assertArrayEquals(Arrays.copyOfRange(want, i * perSlice, (i + 1) * perSlice),
                            Arrays.copyOfRange(big, offset + i * stride, offset + i * stride + perSlice), m + " " + role + " slice " + i);
                }
                int written = 0;
                for (float v : big) {
                    written += Float.isNaN(v) ? 0 : 1;
                }
                assertTrue(written <= shape.slices() * perSlice, m + " wrote outside its slices");
                assertThrows(IllegalArgumentException.class, () -> q.dequantizeInto(code, big, 0, perSlice - 1), m);
                assertThrows(IllegalArgumentException.class, () -> q.dequantizeInto(code, new float[perSlice], 0, perSlice), m);
            }
        }
    }
}
