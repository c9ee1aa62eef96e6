package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector}, as a library user's may be:
 * the backend works, with the scalar kernels, and says how to turn SIMD on. The build runs this
 * class in such a JVM (surefire execution {@code simd-module-absent}); elsewhere it skips itself.
 */
class NoVectorModuleTest {

    @BeforeAll
    static void moduleAbsent() {
        assumeFalse(ModuleLayer.boot().findModule(Simd.MODULE).isPresent(),
                "this JVM has " + Simd.MODULE + "; the simd-module-absent execution runs this class without it");
    }

    @Test
    void simdIsOffWithTheRemedyInItsStatus() throws InterruptedException {
        assertFalse(Simd.enabled());
        assertTrue(Simd.status().contains("--add-modules " + Simd.MODULE), Simd.status());
        assertFalse(Simd.warmUpNow(), "warm-up must not start without the module");
    }

    @Test
    void theBackendStillQuantizesExactlyWithTheScalarKernels() {
        Random r = new Random(3L);
        int rows = 300, cols = 128;
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (boolean sym : new boolean[] {true, false}) {
            BlockQuantConfig cfg = new BlockQuantConfig(2, 64, sym, BlockQuantConfig.publishedInt2().scalePrecision());
            try (CpuBackend cpu = new CpuBackend(2)) {
                PackedBlocks expected = BlockCodec.quantize(x, 0, rows, cols, cfg);
                PackedBlocks actual = cpu.quantizePack(x, rows, cols, cfg);
                assertArrayEquals(expected.codes(), actual.codes());
                float[] de = new float[x.length], da = new float[x.length];
                BlockCodec.dequantize(expected, de, 0);
                cpu.unpackDequant(actual, da);
                assertArrayEquals(de, da);
            }
        }
    }
}
