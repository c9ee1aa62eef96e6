package dev.qvg.api.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantizedKvTest {

    @Test
    void budgetMatchesSpecFormulaForOneStage() {
        // spec section 8: q + s/b + idBits/D + K*16/S = 2 + 16/64 + 8/128 + 256*16/4096 = 3.3125
        KvShape shape = new KvShape(1, 2, 4096, 128);
        BlockQuantConfig c = BlockQuantConfig.publishedInt2();
        PackedBlocks blocks = PackedBlocks.allocate(2 * 4096, 128, c);
        ClusterStage st = new ClusterStage(2, 4096, 128, 256, new short[2 * 256 * 128], new int[2 * 4096], new int[2]);
        QuantizedKv q = new QuantizedKv(shape, KvRole.KEY, "sas", Orientation.TOKEN_MAJOR, 4096, blocks, List.of(st),
                new short[0], Map.of());
        assertEquals(3.3125, q.budget().bitsPerValue(), 0.0);
        assertEquals(2L * 4096 * 128 * 2, q.budget().codeBits());
        assertEquals(16.0 / 3.3125, q.budget().compressionRatio(), 1e-12);
    }

    @Test
    void theReferenceDecoderRefusesCodesOnlyTheirMethodDecodes() {
        KvShape shape = new KvShape(1, 1, 2, 2);
        BlockQuantConfig c = new BlockQuantConfig(4, 2, true, dev.qvg.api.config.ScalePrecision.BF16);
        PackedBlocks blocks = BlockCodec.quantize(new float[] {1, -1, 2, 0}, 0, 2, 2, c);
        QuantizedKv rotated = new QuantizedKv(shape, KvRole.KEY, "rotating", Orientation.TOKEN_MAJOR, 2, blocks, List.of(),
                new short[0], Map.of(QuantizedKv.INFO_METHOD_DECODE, "true"));
        assertTrue(rotated.needsMethodDecoder());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ReferenceDecoder.decode(rotated));
        assertTrue(e.getMessage().contains("method 'rotating'"), e.getMessage());
        QuantizedKv plain = rotated.withMethod("rtn", Map.of());
        assertEquals("rtn", plain.method());
        assertEquals(Map.of(), plain.info());
        assertEquals(rotated.budget(), plain.budget(), "the same codes");
        org.junit.jupiter.api.Assertions.assertSame(rotated.blocks(), plain.blocks());
        assertEquals(4, ReferenceDecoder.decode(plain).data().length);
    }

    @Test
    void decoderAddsStagesAndKeepsTheTail() {
        KvShape shape = new KvShape(1, 1, 3, 2);
        BlockQuantConfig c = new BlockQuantConfig(4, 2, true, dev.qvg.api.config.ScalePrecision.BF16);
        PackedBlocks blocks = BlockCodec.quantize(new float[] {7, -7, 7, 0}, 0, 2, 2, c);
        ClusterStage st = ClusterStage.ofFloatCentroids(1, 2, 2, 2, new float[] {10, 20, 30, 40}, new int[] {1, 0},
                new int[] {3});
        short[] tail = {dev.qvg.api.tensor.Bf16.fromFloat(5f), dev.qvg.api.tensor.Bf16.fromFloat(6f)};
        QuantizedKv q = new QuantizedKv(shape, KvRole.VALUE, "test", Orientation.TOKEN_MAJOR, 2, blocks, List.of(st),
                tail, Map.of());
        KvTensor t = ReferenceDecoder.decode(q);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {37, 33, 17, 20, 5, 6}, t.data());
        assertEquals(16L * 2, q.budget().fullPrecisionBits());
    }

    @Test
    void inconsistentPartsAreRefused() {
        KvShape shape = new KvShape(1, 1, 4, 2);
        BlockQuantConfig c = new BlockQuantConfig(4, 2, true, dev.qvg.api.config.ScalePrecision.BF16);
        PackedBlocks blocks = PackedBlocks.allocate(3, 2, c);
        assertThrows(IllegalArgumentException.class, () -> new QuantizedKv(shape, KvRole.KEY, "x",
                Orientation.TOKEN_MAJOR, 4, blocks, List.of(), new short[0], Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new ClusterStage(1, 2, 2, 2, new short[4], new int[] {0, 2},
                new int[1]));
    }
}
