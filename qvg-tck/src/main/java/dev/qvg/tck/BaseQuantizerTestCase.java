package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import java.util.Optional;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kit for a whole method (a {@code QuantizerProvider}'s {@link Quantizer}): for keys and
 * values, the round trip keeps the shape and lands near the input; the bit budget predicted for a
 * shape equals what quantizing stores; same input, same bits; a tensor quantized part by part
 * ({@link Quantizer#quantizeSlices}) gives the bits of the whole; the input is never modified;
 * a non-finite value is refused naming where it is; {@code dequantizeInto} writes exactly what
 * {@code dequantize} returns and nothing else; BSHD input gives the code of BHSD input. When the
 * method's provider is registered, what it declares is checked against what its quantizer does:
 * its budget formula ({@code qvg plan}'s source) equals the storage, its part support is real,
 * every knob refuses a bad value naming itself and an unknown knob is refused, its canonical
 * config is idempotent and is the config the quantizer reports, its labels are single lines.
 */
public abstract class BaseQuantizerTestCase extends KitTestCase {

    private Quantizer quantizer;

    /** The method under test with the configuration to check (closed by the kit). */
    protected abstract Quantizer newQuantizer();

    /** The tensor shape the kit quantizes; must suit the method's block and group sizes. */
    protected KvShape shape() {
        return new KvShape(1, 3, 160, 64);
    }

    /** Relative L2 error the round trip must stay under on the kit's redundant tokens. */
    protected double maxRelL2() {
        return 0.9;
    }

    /**
     * Whether {@link Quantizer#quantizeSlices} supports parts ({@code firstSlice > 0}): as the
     * registered provider declares, or true for a quantizer without one.
     */
    protected boolean supportsParts() {
        QuantizerProvider p = provider();
        return p == null || p.supportsParts();
    }

    /**
     * The provider whose declarations are checked against the quantizer: by default the
     * registered provider of the quantizer's method, or null (those checks are then skipped).
     */
    protected QuantizerProvider provider() {
        String m = quantizer == null ? null : quantizer.config().method();
        return m != null && Qvg.quantizers().contains(m) ? Qvg.quantizers().get(m) : null;
    }

    private QuantizerProvider requireProvider() {
        QuantizerProvider p = provider();
        org.junit.jupiter.api.Assumptions.assumeTrue(p != null, "the method has no registered provider");
        return p;
    }

    @BeforeAll
    final void createQuantizer() {
        quantizer = newQuantizer();
    }

    @AfterAll
    final void closeQuantizer() {
        if (quantizer != null) {
            quantizer.close();
        }
    }

    @Override
    protected String subjectKind() {
        return "method";
    }

    @Override
    protected String subjectName() {
        return quantizer == null ? "?" : quantizer.config().method();
    }

    private KvTensor tensor(Random r) {
        KvShape s = shape();
        return KvTensor.wrap(s, Fixtures.clusteredTokens(r, s.slices(), s.tokens(), s.headDim(), 6));
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void roundTripKeepsTheShapeAndLandsNearTheInput(KvRole role) {
        KvTensor x = tensor(random());
        QuantizedKv q = quantizer.quantize(x, role);
        KvTensor back = quantizer.dequantize(q);
        assertEquals(x.shape(), back.shape(), "shape of the round trip");
        assertEquals(Layout.BHSD, back.layout(), "dequantize returns BHSD");
        for (float v : back.data()) {
            assertTrue(Float.isFinite(v), "the round trip must be finite");
        }
        double e = ErrorMetrics.compare(x.data(), back.data(), x.shape().headDim()).relL2();
        assertTrue(e < maxRelL2(), role + ": relative L2 " + e + " is not under " + maxRelL2());
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void theBudgetPredictsWhatIsStored(KvRole role) {
        KvTensor x = tensor(random());
        QuantizedKv q = quantizer.quantize(x, role);
        BitBudget predicted = quantizer.budget(x.shape(), role), stored = q.budget();
        assertEquals(predicted, stored, role + ": budget(shape) must equal the storage quantize produced");
        if (q.blocks() != null) {
            int scaleBits = q.blocks().config().scalePrecision().bits();
            assertEquals((long) q.blocks().scales().length * scaleBits, stored.scaleBits(), "scale bits held");
            assertTrue(stored.codeBits() <= (long) q.blocks().codes().length * 8, "code bits fit the bytes held");
        }
        long ids = 0, cents = 0;
        for (ClusterStage st : q.stages()) {
            ids += (long) st.ids().length * st.idBits();
            cents += (long) st.centroids().length * 16;
        }
        assertEquals(ids, stored.idBits(), "id bits held");
        assertEquals(cents, stored.centroidBits(), "centroid bits held");
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void theProvidersBudgetFormulaIsWhatIsStored(KvRole role) {
        QuantizerProvider p = requireProvider();
        KvTensor x = tensor(random());
        Optional<BitBudget> formula = p.budget(quantizer.config(), x.shape(), role);
        org.junit.jupiter.api.Assumptions.assumeTrue(formula.isPresent(), "the provider publishes no budget formula");
        assertEquals(quantizer.quantize(x, role).budget(), formula.get(),
                role + ": the provider's budget (what qvg plan uses) against what quantize stored");
    }

    @org.junit.jupiter.api.Test
    void everyKnobRefusesABadValueNamingItselfAndUnknownKnobsAreRefused() {
        QuantizerProvider p = requireProvider();
        QuantizerConfig c = quantizer.config();
        for (Knob k : p.knobs()) {
            String bad = switch (k.type()) {
                case INT -> "1.5x";
                case REAL -> "NaN";
                case BOOL -> "maybe";
                case TEXT -> null;
            };
            if (bad == null) {
                continue;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> create(p, c.withParam(k.key(), bad)).close(), k.key() + "=" + bad);
            assertTrue(e.getMessage().contains(k.key()), "the message must name the knob: " + e.getMessage());
            // the default, given explicitly, is accepted and runs as the absent knob does
            java.util.Map<String, String> without = new java.util.TreeMap<>(c.params());
            without.remove(k.key());
            try (Quantizer given = create(p, c.withParam(k.key(), k.defaultValue()));
                 Quantizer absent = create(p, c.toBuilder().params(without).build())) {
                KvTensor x = tensor(random());
                assertSameCode(absent.quantize(x, KvRole.KEY), given.quantize(x, KvRole.KEY),
                        k.key() + " given as its default " + k.defaultValue() + " against the knob absent");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> create(p, c.withParam("no_such_knob_qz", "1")).close());
        assertTrue(e.getMessage().contains("no_such_knob_qz"), "an unknown knob must be named: " + e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void theCanonicalConfigIsIdempotentAndIsWhatTheQuantizerRuns() {
        QuantizerProvider p = requireProvider();
        QuantizerConfig c = quantizer.config();
        assertEquals(p.canonical(c), p.canonical(p.canonical(c)), "canonical must be idempotent");
        try (Quantizer q = create(p, c)) {
            assertEquals(p.canonical(c), q.config(), "the quantizer reports the config it runs");
        }
        for (String label : new String[] {p.label(c), p.shortLabel(c)}) {
            assertTrue(!label.isBlank() && label.lines().count() == 1, "a label is one line: '" + label + "'");
        }
    }

    /** {@code p}'s quantizer for {@code c} on the config's registered parts; closing it closes the backend. */
    private static Quantizer create(QuantizerProvider p, QuantizerConfig c) {
        QuantizerContext context = QuantizerContext.fromRegistry(c);
        var backend = context.backend();
        try {
            Quantizer q = p.create(c, context);
            return new Quantizer() {
                @Override
                public QuantizerConfig config() {
                    return q.config();
                }

                @Override
                public dev.qvg.api.quant.QuantizedKv quantize(KvTensor x, KvRole role) {
                    return q.quantize(x, role);
                }

                @Override
                public KvTensor dequantize(dev.qvg.api.quant.QuantizedKv code) {
                    return q.dequantize(code);
                }

                @Override
                public BitBudget budget(KvShape shape, KvRole role) {
                    return q.budget(shape, role);
                }

                @Override
                public void close() {
                    q.close();
                    backend.close();
                }
            };
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void sameInputSameBits(KvRole role) {
        KvTensor x = tensor(random());
        assertSameCode(quantizer.quantize(x, role), quantizer.quantize(x.copy(), role), role + ": two identical runs");
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void partsOfATensorGiveTheBitsOfTheWhole(KvRole role) {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsParts(), "the method does not quantize parts");
        KvTensor x = tensor(random());
        KvShape s = x.shape();
        QuantizedKv whole = quantizer.quantize(x, role);
        KvShape partShape = new KvShape(1, s.slices() - 1, s.tokens(), s.headDim());
        int per = s.tokens() * s.headDim();
        KvTensor part = KvTensor.wrap(partShape, Arrays.copyOfRange(x.data(), per, s.slices() * per));
        QuantizedKv got = quantizer.quantizeSlices(part, role, 1);
        float[] wholeBack = quantizer.dequantize(whole).data();
        Checks.assertSameFloats(Arrays.copyOfRange(wholeBack, per, wholeBack.length), quantizer.dequantize(got).data(),
                s.headDim(), role + ": slices 1.. quantized as a part (firstSlice = 1) against the whole");
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void theInputIsNeverModified(KvRole role) {
        KvTensor x = tensor(random());
        float[] before = x.data().clone();
        quantizer.quantize(x, role);
        assertArrayEquals(before, x.data(), role + ": quantize modified its input");
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void aNonFiniteValueIsRefusedNamingWhereItIs(KvRole role) {
        KvTensor x = tensor(random());
        x.data()[x.data().length / 2 + 3] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> quantizer.quantize(x, role));
        assertTrue(e.getMessage().contains("NaN"), "the message must name the value: " + e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void dequantizeIntoWritesExactlyTheReconstruction(KvRole role) {
        KvTensor x = tensor(random());
        KvShape s = x.shape();
        QuantizedKv q = quantizer.quantize(x, role);
        float[] want = quantizer.dequantize(q).data();
        int per = s.tokens() * s.headDim(), stride = per + 37, offset = 11;
        float[] out = new float[offset + s.slices() * stride];
        Arrays.fill(out, -7.25f);
        quantizer.dequantizeInto(q, out, offset, stride);
        for (int i = 0; i < s.slices(); i++) {
            Checks.assertSameFloats(Arrays.copyOfRange(want, i * per, (i + 1) * per),
                    Arrays.copyOfRange(out, offset + i * stride, offset + i * stride + per), s.headDim(),
                    role + ": slice " + i + " written by dequantizeInto");
            for (int j = offset + i * stride + per; j < offset + (i + 1) * stride && j < out.length; j++) {
                assertEquals(-7.25f, out[j], "dequantizeInto wrote between slices at " + j);
            }
        }
        for (int j = 0; j < offset; j++) {
            assertEquals(-7.25f, out[j], "dequantizeInto wrote before the offset at " + j);
        }
    }

    @ParameterizedTest
    @EnumSource(KvRole.class)
    void bshdInputGivesTheCodeOfBhsd(KvRole role) {
        KvTensor x = tensor(random());
        assertSameCode(quantizer.quantize(x, role), quantizer.quantize(x.toLayout(Layout.BSHD), role),
                role + ": BSHD against BHSD input");
    }

    private static void assertSameCode(QuantizedKv a, QuantizedKv b, String what) {
        assertEquals(a.quantizedTokens(), b.quantizedTokens(), what + ": quantized tokens");
        if (a.blocks() != null) {
            Checks.assertSameBlocks(a.blocks(), b.blocks(), what + ": blocks");
        }
        assertEquals(a.stages().size(), b.stages().size(), what + ": stages");
        for (int s = 0; s < a.stages().size(); s++) {
            Checks.assertSameInts(a.stages().get(s).ids(), b.stages().get(s).ids(), a.stages().get(s).tokens(),
                    what + ": stage " + s + " ids");
            Checks.assertSameShorts(a.stages().get(s).centroids(), b.stages().get(s).centroids(),
                    a.stages().get(s).dim(), what + ": stage " + s + " centroids");
        }
        assertArrayEquals(a.fullPrecisionTail(), b.fullPrecisionTail(), what + ": full-precision tail");
    }
}
