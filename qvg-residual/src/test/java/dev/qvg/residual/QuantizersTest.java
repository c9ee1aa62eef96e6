package dev.qvg.residual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mechanics every method shares, and each method's own format, on small tensors. */
class QuantizersTest {

    private static final KvShape SHAPE = new KvShape(1, 2, 64, 32);
    private static final List<String> METHODS = List.of("rtn", "rtn-clip", "kivi", "sas", "prq");

    /** Small settings that run quickly: block 16, 8 clusters, KIVI groups of 8 and a 16-token window. */
    static QuantizerConfig small(String method) {
        return QuantizerConfig.builder().method(method).blockSize(16).clusters(8).stages(2).param("kivi_group_size", String.valueOf(8))
                .param("kivi_residual_tokens", String.valueOf(16)).build();
    }

    @Test
    void everyMethodIsRegisteredAndKeepsItsPromises() {
        KvTensor x = Fixtures.gaussian(SHAPE, 1);
        float[] before = x.data().clone();
        for (String m : METHODS) {
            for (KvRole role : KvRole.values()) {
                Quantizer q = Fixtures.quantizer(small(m));
                assertEquals(m, q.config().method());
                QuantizedKv code = q.quantize(x, role);
                assertArrayEquals(before, x.data(), m + ": the input is not modified");
                assertEquals(m, code.method());
                assertEquals(q.budget(SHAPE, role), code.budget(), m + " " + role + ": predicted budget");
                KvTensor back = q.dequantize(code);
                assertEquals(Layout.BHSD, back.layout());
                assertArrayEquals(ReferenceDecoder.decode(code).data(), back.data(), m + ": backend decode");
                double err = Fixtures.relL2(x, back);
                assertTrue(err > 0.01 && err < 0.75, m + " " + role + " int2 relative error " + err);
            }
        }
    }

    @Test
    void stageCountsAndIterations() {
        KvTensor x = Fixtures.gaussian(SHAPE, 2);
        assertEquals(0, Fixtures.quantizer(small("rtn")).quantize(x, KvRole.KEY).stages().size());
        assertEquals(1, Fixtures.quantizer(small("sas")).quantize(x, KvRole.KEY).stages().size());
        QuantizedKv prq = Fixtures.quantizer(small("prq")).quantize(x, KvRole.KEY);
        assertEquals(2, prq.stages().size());
        for (int[] perSlice : prq.kmeansIterations()) {
            assertEquals(2, perSlice.length);
            for (int it : perSlice) {
                assertTrue(it >= 2 && it <= 100, "iterations " + it);
            }
        }
        assertEquals("2", prq.info().get("stages"));
        assertEquals("8", prq.info().get("clusters"));
    }

    @Test
    void sameConfigSameBitsAndTheSeedMatters() {
        KvTensor x = Fixtures.prototypes(SHAPE, 12, 0.2, 11);
        QuantizedKv a = Fixtures.quantizer(small("prq")).quantize(x, KvRole.KEY);
        QuantizedKv b = Fixtures.quantizer(small("prq")).quantize(x.toLayout(Layout.BSHD), KvRole.KEY);
        assertArrayEquals(a.blocks().codes(), b.blocks().codes());
        assertArrayEquals(a.blocks().scales(), b.blocks().scales());
        for (int s = 0; s < 2; s++) {
            assertArrayEquals(a.stages().get(s).ids(), b.stages().get(s).ids());
            assertArrayEquals(a.stages().get(s).centroids(), b.stages().get(s).centroids());
        }
        QuantizedKv c = Fixtures.quantizer(small("prq").toBuilder().seed(1).build()).quantize(x, KvRole.KEY);
        assertTrue(!Arrays.equals(a.stages().get(0).centroids(), c.stages().get(0).centroids()),
                "another seed draws other initial centroids");
    }

    @Test
    void rtnIsTheBlockCodecOnTheBhsdTensorWhateverTheInputLayout() {
        KvTensor x = Fixtures.gaussian(SHAPE, 3);
        KvTensor bshd = x.toLayout(Layout.BSHD);
        QuantizedKv a = Fixtures.quantizer(small("rtn")).quantize(x, KvRole.VALUE);
        QuantizedKv b = Fixtures.quantizer(small("rtn")).quantize(bshd, KvRole.VALUE);
        PackedBlocks expected = BlockCodec.quantize(x.data(), 0, 128, 32, small("rtn").quant());
        assertArrayEquals(expected.codes(), a.blocks().codes());
        assertArrayEquals(expected.scales(), a.blocks().scales());
        assertArrayEquals(a.blocks().codes(), b.blocks().codes());
        assertEquals(Orientation.TOKEN_MAJOR, a.orientation());
        assertEquals(64, a.quantizedTokens());
    }

    @Test
    void prqWithZeroStagesIsRtnAndSasIsPrqWithOneStage() {
        KvTensor x = Fixtures.gaussian(SHAPE, 4);
        QuantizedKv rtn = Fixtures.quantizer(small("rtn")).quantize(x, KvRole.KEY);
        QuantizedKv prq0 = Fixtures.quantizer(small("prq").toBuilder().stages(0).build()).quantize(x, KvRole.KEY);
        assertArrayEquals(rtn.blocks().codes(), prq0.blocks().codes());
        assertArrayEquals(rtn.blocks().scales(), prq0.blocks().scales());
        QuantizedKv sas = Fixtures.quantizer(small("sas")).quantize(x, KvRole.KEY);
        QuantizedKv prq1 = Fixtures.quantizer(small("prq").toBuilder().stages(1).build()).quantize(x, KvRole.KEY);
        assertArrayEquals(sas.stages().get(0).ids(), prq1.stages().get(0).ids());
        assertArrayEquals(sas.stages().get(0).centroids(), prq1.stages().get(0).centroids());
        assertArrayEquals(sas.blocks().codes(), prq1.blocks().codes());
    }

    @Test
    void rtnClipIsRtnOfTheClippedTensor() {
        KvTensor x = Fixtures.gaussian(SHAPE, 5);
        QuantizerConfig cfg = small("rtn-clip").toBuilder().param("clip_percentile", String.valueOf(90)).build();
        QuantizedKv clipped = Fixtures.quantizer(cfg).quantize(x, KvRole.KEY);
        float[] manual = x.data().clone();
        PercentileClip.clipBlocks(manual, 32, 16, 90);
        PackedBlocks expected = BlockCodec.quantize(manual, 0, 128, 32, cfg.quant());
        assertArrayEquals(expected.codes(), clipped.blocks().codes());
        assertArrayEquals(expected.scales(), clipped.blocks().scales());
        QuantizedKv plain = Fixtures.quantizer(small("rtn")).quantize(x, KvRole.KEY);
        assertTrue(!Arrays.equals(plain.blocks().scales(), clipped.blocks().scales()), "clipping changed the scales");
        assertEquals("90.0", clipped.info().get("clipPercentile"));
    }

    @Test
    void kiviKeysPerChannelValuesPerTokenRecentTokensInBf16() {
        KvShape shape = new KvShape(1, 2, 60, 32);   // R = 16: keys 40 tokens (5 groups of 8), values 44
        KvTensor x = Fixtures.gaussian(shape, 6);
        Quantizer kivi = Fixtures.quantizer(small("kivi"));
        BlockQuantConfig asym = small("kivi").quant().withSymmetric(false).withBlockSize(8);

        QuantizedKv k = kivi.quantize(x, KvRole.KEY);
        assertEquals(Orientation.CHANNEL_MAJOR, k.orientation());
        assertEquals(40, k.quantizedTokens());
        float[] channelMajor = new float[2 * 32 * 40];
        Transpose.tokenToChannel(x.data(), 60, channelMajor, 2, 40, 32);
        PackedBlocks expected = BlockCodec.quantize(channelMajor, 0, 64, 40, asym);
        assertArrayEquals(expected.codes(), k.blocks().codes());
        assertArrayEquals(expected.scales(), k.blocks().scales());
        assertArrayEquals(expected.zeros(), k.blocks().zeros());

        QuantizedKv v = kivi.quantize(x, KvRole.VALUE);
        assertEquals(Orientation.TOKEN_MAJOR, v.orientation());
        assertEquals(44, v.quantizedTokens());
        assertEquals(8, v.blocks().config().blockSize());

        // The window is stored and given back exactly in bf16.
        KvTensor back = kivi.dequantize(k);
        for (int h = 0; h < 2; h++) {
            for (int s = 40; s < 60; s++) {
                for (int d = 0; d < 32; d++) {
                    assertEquals(Bf16.round(x.get(0, h, s, d)), back.get(0, h, s, d));
                }
            }
        }
        // Measured about 0.4 on gaussian keys (int2 asymmetric, groups of 8, 1/3 of tokens exact).
        assertTrue(Fixtures.relL2(x, back) < 0.5, "kivi key error " + Fixtures.relL2(x, back));

        KvTensor shortX = Fixtures.gaussian(new KvShape(1, 1, 12, 32), 7);
        QuantizedKv allBf16 = kivi.quantize(shortX, KvRole.KEY);
        assertEquals(0, allBf16.quantizedTokens());
        float[] rounded = shortX.data().clone();
        Bf16.roundInPlace(rounded);
        assertArrayEquals(rounded, kivi.dequantize(allBf16).data());
    }

    @Test
    void zeroConstantAndSingleTokenTensors() {
        KvTensor zero = KvTensor.zeros(SHAPE);
        float[] c = new float[SHAPE.numel()];
        Arrays.fill(c, 3.5f);
        KvTensor constant = KvTensor.wrap(SHAPE, c);
        for (String m : METHODS) {
            Quantizer q = Fixtures.quantizer(small(m));
            assertArrayEquals(zero.data(), q.dequantize(q.quantize(zero, KvRole.KEY)).data(), m + " zero");
            // 3.5 is a bf16 value: every method stores it exactly (RTN: code 1 x scale 3.5).
            assertArrayEquals(c, q.dequantize(q.quantize(constant, KvRole.VALUE)).data(), m + " constant");
        }
        // One token and fewer tokens than clusters: duplicate centroids, still a valid code.
        KvShape one = new KvShape(1, 2, 1, 32);
        KvTensor x = Fixtures.gaussian(one, 8);
        for (String m : METHODS) {
            Quantizer q = Fixtures.quantizer(small(m));
            QuantizedKv code = q.quantize(x, KvRole.KEY);
            assertEquals(q.budget(one, KvRole.KEY), code.budget());
            double err = Fixtures.relL2(x, q.dequantize(code));
            double bound = m.equals("sas") || m.equals("prq") || m.equals("kivi") ? 0.01 : 0.75;
            assertTrue(err < bound, m + " single-token error " + err);
        }
    }

    @Test
    void badInputFailsClearly() {
        KvTensor x = Fixtures.gaussian(SHAPE, 9);
        x.set(0, 1, 5, 7, Float.NaN);
        for (String m : METHODS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fixtures.quantizer(small(m)).quantize(x, KvRole.KEY));
            assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("s=5"), e.getMessage());
        }
        KvTensor inf = Fixtures.gaussian(SHAPE, 9);
        inf.set(0, 0, 0, 0, Float.NEGATIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> Fixtures.quantizer(small("sas")).quantize(inf, KvRole.KEY));

        KvTensor odd = Fixtures.gaussian(new KvShape(1, 1, 8, 24), 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.quantizer(small("sas")).quantize(odd, KvRole.KEY));
        assertTrue(e.getMessage().contains("blockSize") && e.getMessage().contains("24"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Qvg.quantizers().get("rtn").create(small("sas"), Fixtures.context()));
        assertTrue(e.getMessage().startsWith("method"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Fixtures.quantizer(small("rtn")).quantize(null, KvRole.KEY));
    }

    @Test
    void providersCarryTheirMethodNames() {
        for (String m : METHODS) {
            assertEquals(m, Qvg.quantizers().get(m).name());
            assertTrue(!Qvg.quantizers().get(m).description().isEmpty());
        }
        assertInstanceOf(PrqResidualQuantizer.class, Qvg.residuals().get("prq").create());
    }
}
