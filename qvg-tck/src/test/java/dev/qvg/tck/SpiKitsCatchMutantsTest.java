package dev.qvg.tck;


import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.Knob;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import java.util.Map;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.Smoother;
import dev.qvg.api.spi.StageInit;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kits for clusterers, smoothers, residual quantizers and whole methods are only worth
 * something if they fail wrong providers: each mutant is a built-in provider with one small,
 * realistic bug, and the named test of its kit must fail (while others of the kit pass).
 */
class SpiKitsCatchMutantsTest {

    enum Mutant {
        CLUSTERER_IGNORES_FIRST_SLICE("partsOfABatchGiveTheBitsOfTheWhole"),
        CLUSTERER_MODIFIES_POINTS("inputsAreLeftAlone"),
        CLUSTERER_SEEDED_BY_CLOCK("sameInputSameBits"),
        CLUSTERER_ID_OUT_OF_RANGE("resultHasTheContractsShapeAndRanges"),
        SMOOTHER_SUBTRACTS_FLOAT_MEANS("residualIsTheInputMinusTheStoredCentroid"),
        SMOOTHER_SKIPS_OVERFLOW_CHECK("badInputIsRefusedAndLeavesTheInputAlone"),
        RESIDUAL_IGNORES_HOOK("theStageInitHookIsAskedOncePerStageInOrderWithThatStagesInput"),
        RESIDUAL_ONE_SEED_FOR_ALL_STAGES("stageSClustersWhatStageSMinusOneLeftWithItsOwnSeed"),
        RESIDUAL_DECODE_DROPS_LAST_STAGE("decodeIsBlocksPlusStoredCentroids"),
        METHOD_MODIFIES_INPUT("theInputIsNeverModified"),
        METHOD_BUDGET_MISSES_SCALES("theBudgetPredictsWhatIsStored"),
        METHOD_INTO_ZEROES_GAPS("dequantizeIntoWritesExactlyTheReconstruction"),
        METHOD_PARTS_RESEEDED("partsOfATensorGiveTheBitsOfTheWhole"),
        PROVIDER_BUDGET_FORGETS_IDS("theProvidersBudgetFormulaIsWhatIsStored"),
        PROVIDER_KNOB_UNCHECKED("everyKnobRefusesABadValueNamingItselfAndUnknownKnobsAreRefused"),
        PROVIDER_CANONICAL_NOT_WHAT_RUNS("theCanonicalConfigIsIdempotentAndIsWhatTheQuantizerRuns");

        final String mustFail;

        Mutant(String mustFail) {
            this.mustFail = mustFail;
        }
    }

    static volatile Mutant current;

    static class ClustererKit extends BaseClustererTestCase {
        @Override
        protected Clusterer newClusterer() {
            return new MutantClusterer(current);
        }
    }

    static class SmootherKit extends BaseSmootherTestCase {
        @Override
        protected Smoother newSmoother() {
            return new MutantSmoother(current);
        }
    }

    static class ResidualKit extends BaseResidualQuantizerTestCase {
        @Override
        protected ResidualQuantizer newResidualQuantizer() {
            return new MutantResidual(current);
        }
    }

    static class MethodKit extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            Quantizer real = BuiltInProvidersKitTest.method("sas", QuantizerConfig.builder().clusters(8).maxIters(5));
            return new MutantMethod(current, real);
        }

        @Override
        protected QuantizerProvider provider() {
            QuantizerProvider real = super.provider();
            return real == null || !current.name().startsWith("PROVIDER") ? real : new MutantProvider(current, real);
        }
    }

    /** The registered sas provider with one wrong declaration. */
    static final class MutantProvider implements QuantizerProvider {
        private final Mutant m;
        private final QuantizerProvider real;

        MutantProvider(Mutant m, QuantizerProvider real) {
            this.m = m;
            this.real = real;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public Quantizer create(QuantizerConfig config, QuantizerContext context) {
            if (m == Mutant.PROVIDER_KNOB_UNCHECKED) {
                // builds without looking at its knobs: a bad value runs as the default
                Map<String, String> p = new java.util.TreeMap<>(config.params());
                p.keySet().removeIf(k -> real.knobs().stream().anyMatch(kn -> kn.key().equals(k))
                        || k.equals("no_such_knob_qz"));
                return real.create(config.toBuilder().params(p).build(), context);
            }
            return real.create(config, context);
        }

        @Override
        public List<Knob> knobs() {
            return real.knobs();
        }

        @Override
        public java.util.Set<CoreSetting> settings() {
            return real.settings();
        }

        @Override
        public QuantizerConfig canonical(QuantizerConfig config) {
            QuantizerConfig c = real.canonical(config);
            // claims the stage count is a setting while the method always runs one stage
            return m == Mutant.PROVIDER_CANONICAL_NOT_WHAT_RUNS ? c.toBuilder().stages(3).build() : c;
        }

        @Override
        public java.util.Optional<BitBudget> budget(QuantizerConfig config, KvShape shape, KvRole role) {
            return real.budget(config, shape, role).map(b -> m != Mutant.PROVIDER_BUDGET_FORGETS_IDS ? b
                    : new BitBudget(b.values(), b.codeBits(), b.scaleBits(), b.zeroBits(), 0, b.centroidBits(),
                            b.fullPrecisionBits()));
        }

        @Override
        public boolean supportsParts() {
            return real.supportsParts();
        }
    }

    private static Class<?> kitFor(Mutant m) {
        String n = m.name();
        return n.startsWith("CLUSTERER") ? ClustererKit.class : n.startsWith("SMOOTHER") ? SmootherKit.class
                : n.startsWith("RESIDUAL") ? ResidualKit.class : MethodKit.class;
    }

    @ParameterizedTest
    @EnumSource(Mutant.class)
    void theKitFailsTheMutant(Mutant m) {
        current = m;
        KitRun.assertKitFails(kitFor(m), m.toString(), m.mustFail);
    }

    /** The registry's k-means with one bug. */
    static final class MutantClusterer implements Clusterer {
        private final Mutant m;
        private final Clusterer real = Qvg.clusterers().getAvailable("kmeans").create();

        MutantClusterer(Mutant m) {
            this.m = m;
        }

        @Override
        public ClusteringResult cluster(Backend backend, SliceBatch b, float[] points, KMeansConfig c, float[] init) {
            switch (m) {
                case CLUSTERER_IGNORES_FIRST_SLICE:
                    return real.cluster(backend, new SliceBatch(b.slices(), b.tokens(), b.dim()), points, c, init);
                case CLUSTERER_SEEDED_BY_CLOCK:
                    return real.cluster(backend, b, points, c.withSeed(System.nanoTime()), init);
                case CLUSTERER_MODIFIES_POINTS: {
                    ClusteringResult r = real.cluster(backend, b, points, c, init);
                    points[0] += 1f;
                    return r;
                }
                case CLUSTERER_ID_OUT_OF_RANGE: {
                    ClusteringResult r = real.cluster(backend, b, points, c, init);
                    int[] ids = r.ids().clone();
                    ids[ids.length - 1] = c.clusters();
                    return new ClusteringResult(r.centroids(), ids, r.iterations());
                }
                default:
                    return real.cluster(backend, b, points, c, init);
            }
        }
    }

    /** SAS with one bug. */
    static final class MutantSmoother implements Smoother {
        private final Mutant m;
        private final Smoother real = Qvg.smoothers().getAvailable("sas").create();

        MutantSmoother(Mutant m) {
            this.m = m;
        }

        @Override
        public ClusterStage smooth(Backend backend, Clusterer clusterer, SliceBatch b, float[] x, KMeansConfig c,
                                   float[] init) {
            if (m != Mutant.SMOOTHER_SUBTRACTS_FLOAT_MEANS && m != Mutant.SMOOTHER_SKIPS_OVERFLOW_CHECK) {
                return real.smooth(backend, clusterer, b, x, c, init);
            }
            ClusteringResult r = clusterer.cluster(backend, b, x, c, init);
            ClusterStage st = ClusterStage.ofFloatCentroids(b.slices(), b.tokens(), b.dim(), c.clusters(), r.centroids(),
                    r.ids(), r.iterations());
            float[] sub = m == Mutant.SMOOTHER_SUBTRACTS_FLOAT_MEANS ? r.centroids() : st.centroidsAsFloat();
            backend.subtractCentroids(b, x, st.ids(), sub, c.clusters());
            return st;
        }
    }

    /** PRQ with one bug. */
    static final class MutantResidual implements ResidualQuantizer {
        private final Mutant m;
        private final ResidualQuantizer real = Qvg.residuals().getAvailable("prq").create();

        MutantResidual(Mutant m) {
            this.m = m;
        }

        @Override
        public ResidualCode encode(QuantizerContext ctx, SliceBatch b, float[] x, int stages, KMeansConfig km,
                                   BlockQuantConfig q, StageInit init) {
            if (m == Mutant.RESIDUAL_IGNORES_HOOK) {
                return real.encode(ctx, b, x, stages, km, q, null);
            }
            if (m == Mutant.RESIDUAL_ONE_SEED_FOR_ALL_STAGES && stages > 1) {
                dev.qvg.api.reference.SpanEncoding.checkArgs(b, x, new dev.qvg.api.spi.SpanPlan(stages, km, q, init));
                List<ClusterStage> done = new ArrayList<>();
                for (int s = 0; s < stages; s++) {
                    done.add(ctx.smoother().smooth(ctx.backend(), ctx.clusterer(), b, x, km,
                            init == null ? null : init.initialCentroids(s, x)));
                }
                return new ResidualCode(done, ctx.backend().quantizePack(x, b.rows(), b.dim(), q));
            }
            return real.encode(ctx, b, x, stages, km, q, init);
        }

        @Override
        public void decode(Backend backend, SliceBatch b, ResidualCode code, float[] out) {
            if (m == Mutant.RESIDUAL_DECODE_DROPS_LAST_STAGE && !code.stages().isEmpty()) {
                List<ClusterStage> st = code.stages().subList(0, code.stages().size() - 1);
                real.decode(backend, b, new ResidualCode(st, code.blocks()), out);
                return;
            }
            real.decode(backend, b, code, out);
        }
    }

    /** The sas method with one bug. */
    static final class MutantMethod implements Quantizer {
        private final Mutant m;
        private final Quantizer real;

        MutantMethod(Mutant m, Quantizer real) {
            this.m = m;
            this.real = real;
        }

        @Override
        public QuantizerConfig config() {
            return real.config();
        }

        @Override
        public QuantizedKv quantize(KvTensor x, KvRole role) {
            QuantizedKv q = real.quantize(x, role);
            if (m == Mutant.METHOD_MODIFIES_INPUT) {
                x.data()[0] += 1f;
            }
            return q;
        }

        @Override
        public QuantizedKv quantizeSlices(KvTensor x, KvRole role, int firstSlice) {
            return m == Mutant.METHOD_PARTS_RESEEDED ? real.quantize(x, role) : real.quantizeSlices(x, role, firstSlice);
        }

        @Override
        public KvTensor dequantize(QuantizedKv q) {
            return real.dequantize(q);
        }

        @Override
        public void dequantizeInto(QuantizedKv q, float[] out, int offset, int sliceStride) {
            if (m == Mutant.METHOD_INTO_ZEROES_GAPS) {
                Arrays.fill(out, 0f);
            }
            real.dequantizeInto(q, out, offset, sliceStride);
        }

        @Override
        public BitBudget budget(KvShape shape, KvRole role) {
            BitBudget b = real.budget(shape, role);
            return m == Mutant.METHOD_BUDGET_MISSES_SCALES ? new BitBudget(b.values(), b.codeBits(), 0, b.zeroBits(),
                    b.idBits(), b.centroidBits(), b.fullPrecisionBits()) : b;
        }

        @Override
        public void close() {
            real.close();
        }
    }
}
