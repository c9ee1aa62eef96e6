package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import org.junit.jupiter.api.Test;

/** Predicted storage against spec section 8, without running anything. */
class BitBudgetTest {

    private static final KvShape CHELSEA = new KvShape(1, 2, 4096, 128);

    private static BitBudget budget(QuantizerConfig cfg, KvShape shape, KvRole role) {
        return Fixtures.quantizer(cfg).budget(shape, role);
    }

    private static QuantizerConfig.Builder method(String m) {
        return QuantizerConfig.builder().method(m);
    }

    @Test
    void publishedFiguresExactly() {
        // q + s/b (+ s/b) + n*idBits/D + n*K*16/S with S=4096, D=128, K=256, b=64, bf16 scales.
        assertEquals(3.3125, budget(method("sas").build(), CHELSEA, KvRole.KEY).bitsPerValue());
        assertEquals(2.25, budget(method("rtn").build(), CHELSEA, KvRole.KEY).bitsPerValue());
        assertEquals(2.5, budget(method("rtn").symmetric(false).build(), CHELSEA, KvRole.KEY).bitsPerValue());
        assertEquals(3.5625, budget(method("sas").symmetric(false).build(), CHELSEA, KvRole.VALUE).bitsPerValue());
        assertEquals(4.375, budget(method("prq").stages(2).build(), CHELSEA, KvRole.KEY).bitsPerValue());
        assertEquals(6.5, budget(method("prq").stages(4).build(), CHELSEA, KvRole.KEY).bitsPerValue());
        assertEquals(5.3125, budget(method("sas").bits(4).build(), CHELSEA, KvRole.KEY).bitsPerValue());
        assertEquals(2.125, budget(method("rtn").scalePrecision(ScalePrecision.FP8_E4M3).build(), CHELSEA,
                KvRole.KEY).bitsPerValue());
        assertEquals(2.25, budget(method("rtn-clip").build(), CHELSEA, KvRole.VALUE).bitsPerValue());
    }

    @Test
    void componentsOfOneSasSpan() {
        BitBudget b = budget(method("sas").build(), CHELSEA, KvRole.KEY);
        long n = 2, S = 4096, D = 128, K = 256;
        assertEquals(n * S * D, b.values());
        assertEquals(n * S * D * 2, b.codeBits());
        assertEquals(n * S * (D / 64) * 16, b.scaleBits());
        assertEquals(0, b.zeroBits());
        assertEquals(n * S * 8, b.idBits());
        assertEquals(n * K * D * 16, b.centroidBits());
        assertEquals(0, b.fullPrecisionBits());
    }

    @Test
    void matchesTheSpecFormulaOverAGrid() {
        int[] bits = {2, 3, 4, 8};
        int[] blocks = {16, 32, 64};
        int[] tokens = {512, 4096};
        for (int q : bits) {
            for (int blk : blocks) {
                for (boolean sym : new boolean[] {true, false}) {
                    for (ScalePrecision p : ScalePrecision.values()) {
                        for (int S : tokens) {
                            for (int stages : new int[] {0, 1, 3}) {
                                QuantizerConfig cfg = method("prq").bits(q).blockSize(blk).symmetric(sym)
                                        .scalePrecision(p).stages(stages).clusters(300).build();
                                double s = p.bits();
                                double expected = q + s / blk + (sym ? 0 : s / blk) + stages * 16.0 / 128
                                        + stages * 300 * 16.0 / S;
                                assertEquals(expected, budget(cfg, new KvShape(2, 3, S, 128), KvRole.KEY).bitsPerValue(),
                                        1e-12, cfg.label() + " S=" + S + " stages=" + stages);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void kiviKeepsTheWindowAndIncompleteKeyGroupsInBf16() {
        QuantizerConfig cfg = method("kivi").param("kivi_group_size", String.valueOf(32)).param("kivi_residual_tokens", String.valueOf(128)).build();
        // S = 4096: 3968 older tokens, a whole number of groups, for keys and values alike.
        // per quantized value 2 bits + (16 + 16) / 32 for scale and zero = 3; 128 tokens at 16.
        double expected = (3968 * 3.0 + 128 * 16.0) / 4096;
        assertEquals(expected, budget(cfg, CHELSEA, KvRole.KEY).bitsPerValue());
        assertEquals(expected, budget(cfg, CHELSEA, KvRole.VALUE).bitsPerValue());
        // S = 4100: keys quantize 3968 (124 groups) and keep 132; values quantize 3972, keep 128.
        KvShape s4100 = CHELSEA.withTokens(4100);
        BitBudget k = budget(cfg, s4100, KvRole.KEY), v = budget(cfg, s4100, KvRole.VALUE);
        assertEquals(2L * 132 * 128 * 16, k.fullPrecisionBits());
        assertEquals(2L * 128 * 3968 * 2, k.codeBits());
        assertEquals(2L * 128 * 124 * 16, k.scaleBits());
        assertEquals(k.scaleBits(), k.zeroBits());
        assertEquals(2L * 128 * 128 * 16, v.fullPrecisionBits());
        assertEquals(2L * 3972 * 128 * 2, v.codeBits());
        assertEquals(2L * 3972 * 4 * 16, v.zeroBits());
        // Fewer tokens than the window: all bf16.
        assertEquals(16.0, budget(cfg, CHELSEA.withTokens(100), KvRole.KEY).bitsPerValue());
    }

    @Test
    void moreThan256ClustersTakeSixteenBitIds() {
        BitBudget b = budget(method("sas").clusters(300).build(), CHELSEA, KvRole.KEY);
        assertEquals(2L * 4096 * 16, b.idBits());
    }

    @Test
    void impossibleShapesFailWithTheParameterNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> budget(method("sas").build(), new KvShape(1, 1, 16, 100), KvRole.KEY));
        assertTrue(e.getMessage().contains("blockSize") && e.getMessage().contains("100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> budget(method("kivi").param("kivi_group_size", String.valueOf(48)).build(),
                CHELSEA, KvRole.VALUE));
        assertTrue(e.getMessage().startsWith("kivi_group_size"), e.getMessage());
    }
}
