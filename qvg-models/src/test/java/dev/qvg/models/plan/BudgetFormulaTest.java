package dev.qvg.models.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.inject.Pipelines;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.models.testing.Data;
import org.junit.jupiter.api.Test;

class BudgetFormulaTest {

    @Test
    void specSection8Example() {
        // q=2, b=64, bf16 scales, 1 stage, 8-bit ids, D=128: 2 + 0.25 + 0.0625 + 4096/S bits a value.
        BudgetFormula f = new BudgetFormula(QuantizerConfig.publishedInt2());
        for (int S : new int[] {1024, 4096, 37_440}) {
            BitBudget b = f.budget(new KvShape(1, 4, S, 128), KvRole.KEY);
            assertEquals(2 + 0.25 + 0.0625 + 4096.0 / S, b.bitsPerValue(), 1e-12, "S=" + S);
        }
        // About 6.9x before centroid overhead.
        assertEquals(16 / 2.3125, 6.919, 1e-3);
    }

    @Test
    void fp8ScalesAndAsymmetricZeros() {
        QuantizerConfig c = QuantizerConfig.builder().method("rtn").scalePrecision(ScalePrecision.FP8_E4M3)
                .symmetric(false).bits(4).blockSize(32).build();
        BitBudget b = new BudgetFormula(c).budget(new KvShape(2, 3, 100, 64), KvRole.VALUE);
        assertEquals(4 + 8.0 / 32 + 8.0 / 32, b.bitsPerValue(), 1e-12);
    }

    @Test
    void agreesWithTheRegisteredQuantizersAndWhatTheyStore() {
        KvShape shape = new KvShape(1, 2, 200, 64);
        var x = Data.keys(shape, 1);
        for (QuantizerConfig cfg : new QuantizerConfig[] {
            QuantizerConfig.builder().method("rtn").clusters(8).maxIters(3).build(),
            QuantizerConfig.builder().method("rtn-clip").bits(3).build(),
            QuantizerConfig.builder().method("sas").clusters(8).maxIters(3).build(),
            QuantizerConfig.builder().method("prq").stages(2).clusters(300).maxIters(2).blockSize(32).build(),
            QuantizerConfig.builder().method("kivi").param("kivi_group_size", String.valueOf(32)).param("kivi_residual_tokens", String.valueOf(50)).build(),
            QuantizerConfig.builder().method("kivi").param("kivi_group_size", String.valueOf(16)).param("kivi_residual_tokens", String.valueOf(500)).build(),
        }) {
            Quantizer q = Pipelines.quantizer(cfg);
            BudgetFormula f = new BudgetFormula(cfg);
            for (KvRole role : KvRole.values()) {
                BitBudget formula = f.budget(shape, role);
                assertEquals(q.budget(shape, role), formula, cfg.label() + " " + role);
                assertEquals(q.quantize(x, role).budget(), formula, cfg.label() + " " + role + " stored");
            }
        }
    }

    @Test
    void unknownMethodIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new BudgetFormula(QuantizerConfig.builder().method("mystery").build()));
        assertEquals(true, e.getMessage().contains("mystery"));
    }

    @Test
    void aBlockLargerThanTheProbeShapeIsStillPlanned() {
        // regression: supports() probes a small shape; a block size that shape cannot take is the model's to decide
        QuantizerConfig c = QuantizerConfig.builder().method("prq").blockSize(128).build();
        assertEquals(true, BudgetFormula.supports(c));
        assertEquals(2 + 16.0 / 128 + 8.0 / 128 + 256 * 16.0 / 4096,
                new BudgetFormula(c).budget(new KvShape(1, 1, 4096, 128), KvRole.KEY).bitsPerValue(), 1e-12);
    }
}
