package dev.qvg.cli.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.KvRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuiteTest {

    private static final QuantizerConfig BASE = QuantizerConfig.publishedInt2();

    @Test
    void defaultSuiteIsTwelveConfigurationsWithEachMethodsOwnSettings() {
        List<QuantizerConfig> s = Suite.of(BASE, Suite.defaultMethods(), Suite.DEFAULT_BITS, Suite.DEFAULT_STAGES);
        assertEquals(12, s.size(), "(rtn, kivi, sas, prq x 3) x 2 bit widths");
        List<String> labels = s.stream().map(c -> MethodLabels.of(c) + "/" + c.quant().bits()).toList();
        assertEquals(List.of("rtn/2", "kivi/2", "sas/2", "prq(1)/2", "prq(2)/2", "prq(4)/2",
                "rtn/4", "kivi/4", "sas/4", "prq(1)/4", "prq(2)/4", "prq(4)/4"), labels);
        for (QuantizerConfig c : s) {
            switch (c.method()) {
                case "rtn" -> assertEquals(0, c.stages());
                case "kivi" -> {
                    assertEquals(0, c.stages());
                    assertFalse(c.quant().symmetric(), "KIVI is asymmetric by definition");
                    assertEquals(32, c.quant().blockSize(), "KIVI's blocks are its groups, and its config says so");
                }
                case "sas" -> assertEquals(1, c.stages());
                default -> assertTrue(c.quant().symmetric());
            }
            if (!c.method().equals("kivi")) {
                assertEquals(64, c.quant().blockSize());
            }
            assertEquals(256, c.kmeans().clusters());
        }
    }

    @Test
    void badBitsFailNamingTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Suite.of(BASE, List.of("rtn"), List.of(5), List.of(1)));
        assertTrue(e.getMessage().startsWith("bits"), e.getMessage());
    }

    @Test
    void kmeansIterationsAreListedSliceMajor() {
        // [stage][slice]: stage 0 took 17 and 12 iterations on heads 0 and 1, stage 1 took 22 and 18
        int[][] byStage = {{17, 12}, {22, 18}};
        // chelsea-expected.jsonl lists prq(2) on k as [17, 22, 12, 18]: head 0's stages, then head 1's
        assertArrayEquals(new int[] {17, 22, 12, 18}, Evaluator.sliceMajor(byStage));
        assertArrayEquals(new int[0], Evaluator.sliceMajor(new int[0][]));
    }

    @Test
    void rolesFromCommonTensorNames() {
        for (String k : List.of("k", "K", "key", "keys", "layers.3.k", "past_key", "k_cache", "model.layers.0.self_attn.k")) {
            assertEquals(KvRole.KEY, Roles.guess(k), k);
        }
        for (String v : List.of("v", "value", "values", "layers.3.v", "past_value", "v_cache", "blocks.2.attn.v")) {
            assertEquals(KvRole.VALUE, Roles.guess(v), v);
        }
        assertEquals(KvRole.KEY, Roles.guess("hidden"), "a name that says neither counts as keys");
    }
}
