package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Bad input fails exactly as the reference does, before anything is written; close() is final. */
class CpuBackendArgsTest {

    private final SliceBatch b = new SliceBatch(2, 4, 3);

    /** Runs {@code call} on both backends and asserts the same exception type and message. */
    private static void sameError(Consumer<Backend> call) {
        RuntimeException expected = assertThrows(RuntimeException.class, () -> call.accept(new ReferenceBackend()));
        try (CpuBackend cpu = new CpuBackend(2)) {
            RuntimeException actual = assertThrows(RuntimeException.class, () -> call.accept(cpu));
            assertEquals(expected.getClass(), actual.getClass());
            assertEquals(expected.getMessage(), actual.getMessage());
        }
    }

    @Test
    void assignArgumentsAreCheckedLikeTheReference() {
        float[] x = new float[24], c = new float[12];
        sameError(k -> k.assign(b, new float[23], c, 2, new int[8], new int[2], null));
        sameError(k -> k.assign(b, x, new float[11], 2, new int[8], new int[2], null));
        sameError(k -> k.assign(b, x, c, 0, new int[8], new int[2], null));
        sameError(k -> k.assign(b, x, c, 2, new int[7], new int[2], null));
        sameError(k -> k.assign(b, x, c, 2, new int[8], new int[1], null));
        sameError(k -> k.assign(b, x, c, 2, new int[8], null, null));
        sameError(k -> k.assign(b, x, c, 2, new int[8], new int[2], new boolean[3]));
        sameError(k -> k.assign(b, null, c, 2, new int[8], new int[2], null));
    }

    @Test
    void idRangeAndShapeChecksMatchAndWriteNothing() {
        float[] x = new float[24], c = new float[12];
        int[] badIds = {0, 1, 0, 1, 0, 2, 0, 1};
        sameError(k -> k.updateCentroids(b, x, badIds, 2, c, null));
        sameError(k -> k.updateCentroids(b, x, new int[] {0, 0, 0, 0, -1, 0, 0, 0}, 2, c, null));
        float[] points = new float[24];
        java.util.Arrays.fill(points, 5f);
        sameError(k -> k.subtractCentroids(b, points, badIds, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2));
        for (float v : points) {
            assertEquals(5f, v, "subtract wrote before failing");
        }
        sameError(k -> k.accumulateCentroids(b, new float[25], new int[8], c, 2));
        // An inactive slice's ids are not range-checked by update.
        boolean[] active = {true, false};
        int[] inactiveBad = {0, 1, 0, 1, 9, 9, 9, 9};
        try (CpuBackend cpu = new CpuBackend(2)) {
            cpu.updateCentroids(b, x, inactiveBad, 2, c, active);
        }
    }

    @Test
    void quantizeArgumentsAreCheckedLikeTheReference() {
        BlockQuantConfig cfg = BlockQuantConfig.publishedInt2();
        sameError(k -> k.quantizePack(new float[128], 2, 64, null));
        sameError(k -> k.quantizePack(new float[128], 0, 64, cfg));
        sameError(k -> k.quantizePack(new float[120], 2, 60, cfg));
        sameError(k -> k.quantizePack(new float[127], 2, 64, cfg));
        sameError(k -> k.quantizePack(null, 2, 64, cfg));
        PackedBlocks p = PackedBlocks.allocate(2, 64, cfg);
        sameError(k -> k.unpackDequant(null, new float[128]));
        sameError(k -> k.unpackDequant(p, new float[127]));
        sameError(k -> k.decode(new SliceBatch(2, 1, 64), p, List.of(), new float[129]));
        ClusterStage st = ClusterStage.ofFloatCentroids(1, 2, 64, 3, new float[3 * 64], new int[2], new int[1]);
        sameError(k -> k.decode(new SliceBatch(2, 1, 64), p, List.of(st), new float[128]));
    }

    @Test
    void useAfterCloseThrowsIllegalState() {
        CpuBackend cpu = new CpuBackend(2);
        cpu.close();
        cpu.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cpu.assign(b, new float[24], new float[12], 2, new int[8], new int[2], null));
        assertEquals("cpu backend: used after close()", e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> cpu.quantizePack(new float[64], 1, 64, BlockQuantConfig.publishedInt2()));
        assertThrows(IllegalStateException.class, () -> cpu.unpackDequant(null, null));
    }
}
