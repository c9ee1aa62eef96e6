package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code --recent-tokens R} (Hugging Face's and KIVI's residual_length) for the token-major
 * methods: the newest R tokens of every slice come back as their BF16 values, the older ones
 * exactly as if that shorter tensor had been quantized alone, and the budget counts both.
 */
class RecentTokensTest {

    private static KvTensor data(int slices, int tokens, int dim, long seed) {
        Random r = new Random(seed);
        float[] x = new float[slices * tokens * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() + (i % dim == 3 ? 8f : 0f);
        }
        return KvTensor.wrap(new KvShape(1, slices, tokens, dim), x);
    }

    @Test
    void theNewestTokensAreBf16AndTheOlderOnesAreQuantizedAsIfAlone() {
        int n = 2, S = 96, R = 32, D = 64;
        KvTensor x = data(n, S, D, 5);
        QuantizerConfig base = QuantizerConfig.builder().method("prq").stages(2).clusters(8).maxIters(5).build();
        try (Quantizer withWindow = Fixtures.quantizer(base.withParam("recent_tokens", Integer.toString(R)));
             Quantizer plain = Fixtures.quantizer(base)) {
            QuantizedKv q = withWindow.quantize(x, KvRole.KEY);
            assertEquals(S - R, q.quantizedTokens());
            assertEquals(q.budget(), Qvg.quantizers().get("prq").budget(withWindow.config(), x.shape(), KvRole.KEY).orElseThrow(),
                    "the provider's formula counts the window");
            float[] back = withWindow.dequantize(q).data();
            float[] older = new float[n * (S - R) * D];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x.data(), i * S * D, older, i * (S - R) * D, (S - R) * D);
            }
            float[] olderBack = plain.dequantize(plain.quantize(KvTensor.wrap(new KvShape(1, n, S - R, D), older),
                    KvRole.KEY)).data();
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Arrays.copyOfRange(olderBack, i * (S - R) * D, (i + 1) * (S - R) * D),
                        Arrays.copyOfRange(back, i * S * D, i * S * D + (S - R) * D), "older tokens of slice " + i);
                for (int j = (S - R) * D; j < S * D; j++) {
                    assertEquals(Bf16.toFloat(Bf16.fromFloat(x.data()[i * S * D + j])), back[i * S * D + j],
                            "recent value " + j + " of slice " + i);
                }
            }
        }
    }

    @Test
    void aWindowCoveringTheTensorKeepsItAllInBf16() {
        KvTensor x = data(1, 16, 64, 9);
        QuantizerConfig c = QuantizerConfig.builder().method("sas").clusters(4).param("recent_tokens", "16").build();
        try (Quantizer q = Fixtures.quantizer(c)) {
            QuantizedKv code = q.quantize(x, KvRole.VALUE);
            assertEquals(0, code.quantizedTokens());
            assertEquals(16.0, code.budget().bitsPerValue());
            assertEquals(code.budget(), q.budget(x.shape(), KvRole.VALUE));
        }
    }
}
