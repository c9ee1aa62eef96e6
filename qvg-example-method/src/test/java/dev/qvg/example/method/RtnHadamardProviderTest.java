package dev.qvg.example.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class RtnHadamardProviderTest {

    private static QuantizerConfig.Builder config() {
        return QuantizerConfig.builder().method(RtnHadamardProvider.NAME);
    }

    private static KvTensor keys(KvShape shape, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[shape.numel()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * (i % shape.headDim() == 5 ? 30 : 1));
        }
        return KvTensor.wrap(shape, x);
    }

    @Test
    void foundThroughServiceLoaderOnlyAndNeverTheDefault() {
        QuantizerProvider viaLoader = ServiceLoader.load(QuantizerProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(RtnHadamardProvider.NAME)).findFirst()
                .orElseThrow();
        assertEquals(RtnHadamardProvider.class, viaLoader.getClass());
        QuantizerProvider p = Qvg.quantizers().getAvailable(RtnHadamardProvider.NAME);
        assertEquals(RtnHadamardProvider.NAME, p.name());
        assertTrue(p.rank() < 0, "ranked below every built-in method, so never the default by accident");
        assertNotEquals(RtnHadamardProvider.NAME, QuantizerConfig.builder().build().method(), "the default method");
        assertTrue(p.defaultEvalPosition().isEmpty(), "run only when named");
        assertFalse(Methods.defaultEvalMethods().contains(p), "not in qvg eval's default comparison");
        assertEquals(EnumSet.of(CoreSetting.BITS, CoreSetting.BLOCK_SIZE, CoreSetting.SYMMETRIC,
                CoreSetting.SCALE_PRECISION), p.settings());
        assertTrue(p.supportsParts());
        assertTrue(p.presets().isEmpty());
        assertEquals(List.of("--rotation-seed"), p.knobs().stream().map(k -> k.flag()).toList());
    }

    @Test
    void theBudgetIsPlainRtnsForEveryShapeAndSetting() {
        QuantizerProvider had = Qvg.quantizers().get(RtnHadamardProvider.NAME), rtn = Qvg.quantizers().get("rtn");
        for (KvShape s : List.of(new KvShape(1, 2, 100, 64), new KvShape(2, 3, 7, 128), new KvShape(1, 1, 1, 16))) {
            for (int bits : new int[] {2, 3, 4, 8}) {
                for (boolean sym : new boolean[] {true, false}) {
                    QuantizerConfig.Builder b = QuantizerConfig.builder().bits(bits).symmetric(sym).blockSize(16);
                    BitBudget want = rtn.budget(b.method("rtn").build(), s, KvRole.KEY).orElseThrow();
                    assertEquals(want, had.budget(b.method(RtnHadamardProvider.NAME).build(), s, KvRole.VALUE)
                            .orElseThrow(), s + " int" + bits + " sym=" + sym);
                }
            }
        }
    }

    @Test
    void aHeadDimThatIsNotAPowerOfTwoIsRefusedBeforeAnyWork() {
        KvShape s = new KvShape(1, 2, 8, 96);
        QuantizerConfig c = config().blockSize(32).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Qvg.quantizers().get(RtnHadamardProvider.NAME).budget(c, s, KvRole.KEY));
        assertTrue(e.getMessage().contains("head dim 96") && e.getMessage().contains("power of two"), e.getMessage());
        try (Quantizer q = TestPipelines.method(c, TestPipelines.reference())) {
            e = assertThrows(IllegalArgumentException.class, () -> q.quantize(keys(s, 1), KvRole.KEY));
            assertTrue(e.getMessage().contains("head dim 96"), e.getMessage());
        }
    }

    @Test
    void aNonFiniteValueIsRefusedNamingItsIndex() {
        KvShape s = new KvShape(1, 2, 8, 64);
        try (Quantizer q = TestPipelines.method(config().build(), TestPipelines.reference())) {
            KvTensor x = keys(s, 2);
            x.set(0, 1, 3, 17, Float.POSITIVE_INFINITY);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.quantize(x, KvRole.KEY));
            assertTrue(e.getMessage().contains("Infinity") && e.getMessage().contains("(b=0, h=1, s=3, d=17)"),
                    e.getMessage());
        }
    }

    @Test
    void entriesNeedThisMethodToDecodeAndRecordTheirSeed() {
        KvShape s = new KvShape(1, 2, 16, 64);
        KvTensor x = keys(s, 3);
        try (Quantizer seeded = TestPipelines.method(config().param("rotation_seed", "5").build(),
                TestPipelines.reference());
             Quantizer plain = TestPipelines.method(config().build(), TestPipelines.reference())) {
            QuantizedKv q = seeded.quantize(x, KvRole.KEY);
            assertTrue(q.needsMethodDecoder(), "info: " + q.info());
            assertEquals("true", q.info().get(QuantizedKv.INFO_METHOD_DECODE));
            assertEquals("5", q.info().get("rotation_seed"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceDecoder.decode(q));
            assertTrue(e.getMessage().contains(RtnHadamardProvider.NAME), e.getMessage());
            // the entry is self-describing: a quantizer of another seed decodes it with the recorded one
            assertTrue(Arrays.equals(seeded.dequantize(q).data(), plain.dequantize(q).data()));
            QuantizedKv other = plain.quantize(x, KvRole.KEY);
            assertFalse(Arrays.equals(q.blocks().codes(), other.blocks().codes()), "another seed, other codes");
        }
    }

    @Test
    void anEntryOfAnotherMethodIsRefused() {
        KvShape s = new KvShape(1, 1, 8, 64);
        QuantizerContext ctx = TestPipelines.reference();
        try (Quantizer rtn = TestPipelines.method(QuantizerConfig.builder().method("rtn").stages(0).build(), ctx);
             Quantizer had = TestPipelines.method(config().build(), ctx)) {
            QuantizedKv q = rtn.quantize(keys(s, 4), KvRole.KEY);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> had.dequantize(q));
            assertTrue(e.getMessage().contains("method 'rtn'"), e.getMessage());
        }
    }

    @Test
    void theKnobIsParsedValidatedAndCanonical() {
        QuantizerProvider p = Qvg.quantizers().get(RtnHadamardProvider.NAME);
        QuantizerConfig c = config().stages(3).param("rotation_seed", " 007").build();
        QuantizerConfig canonical = p.canonical(c);
        assertEquals(0, canonical.stages(), "no smoothing stages");
        assertEquals("7", canonical.params().get("rotation_seed"));
        assertEquals(canonical, p.canonical(canonical), "idempotent");
        assertEquals("rtn-hadamard int2 sym b64 bf16 rotation_seed=7", p.label(canonical));
        assertEquals("rtn-hadamard int4 asym b32 bf16", p.label(config().bits(4).symmetric(false).blockSize(32)
                .param("rotation_seed", "0").build()), "the default seed is not written");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.create(config().param("rotation_seed", "1e3").build(), TestPipelines.reference()));
        assertTrue(e.getMessage().contains("params.rotation_seed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> p.create(config().param("seed", "3").build(), TestPipelines.reference()));
        assertTrue(e.getMessage().contains("params.seed") && e.getMessage().contains("rotation_seed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> p.create(QuantizerConfig.builder().method("rtn").build(), TestPipelines.reference()));
        assertTrue(e.getMessage().contains("'rtn'"), e.getMessage());
    }

    @Test
    void everyBackendGivesTheReferenceBits() {
        KvShape s = new KvShape(2, 2, 300, 128);
        KvTensor x = keys(s, 6);
        QuantizerConfig c = config().bits(4).symmetric(false).blockSize(32).build();
        QuantizedKv want;
        try (Quantizer ref = TestPipelines.method(c, TestPipelines.reference())) {
            want = ref.quantize(x, KvRole.KEY);
        }
        for (String name : List.of("cpu")) {
            if (!Qvg.backends().contains(name)) {
                continue;
            }
            try (Backend b = Qvg.backends().getAvailable(name).create();
                 Quantizer q = TestPipelines.method(c, TestPipelines.context(b))) {
                QuantizedKv got = q.quantize(x, KvRole.KEY);
                assertTrue(Arrays.equals(want.blocks().codes(), got.blocks().codes()), name + ": codes");
                assertTrue(Arrays.equals(want.blocks().scales(), got.blocks().scales()), name + ": scales");
                assertTrue(Arrays.equals(q.dequantize(got).data(), q.dequantize(want).data()), name + ": decode");
            }
        }
    }
}
