package dev.qvg.tck;


import dev.qvg.api.spi.Backend;
import dev.qvg.tck.MutantBackend.Mutation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kit is only worth something if it fails wrong backends: each {@link Mutation} is a small,
 * realistic bug, and the group that should see it must fail in the named test (and only
 * there: the other tests of the group still pass, so the failure is the bug, not a crash).
 */
class KitCatchesMutantsTest {

    static volatile Mutation current;

    // Static nested kits: surefire skips nested classes, the launcher below selects them.
    static class BlockKit extends BaseBlockQuantTestCase {
        @Override
        protected Backend newBackend() {
            return new MutantBackend(current);
        }
    }

    static class KMeansKit extends BaseKMeansKernelsTestCase {
        @Override
        protected Backend newBackend() {
            return new MutantBackend(current);
        }
    }

    static class OpsKit extends BaseCentroidOpsTestCase {
        @Override
        protected Backend newBackend() {
            return new MutantBackend(current);
        }
    }

    static class CoarseKit extends BaseCoarseOpsTestCase {
        @Override
        protected Backend newBackend() {
            return new MutantBackend(current);
        }
    }

    static class BadInputKit extends BaseBadInputTestCase {
        @Override
        protected Backend newBackend() {
            return new MutantBackend(current);
        }

        @Override
        protected boolean checksUseAfterClose() {
            return false;
        }
    }

    static class ConcurrencyKit extends BaseConcurrencyTestCase {
        @Override
        protected Backend newBackend() {
            return new MutantBackend(current);
        }

        @Override
        protected boolean threadSafe() {
            return true;
        }
    }

    private static Class<?> kitFor(Mutation m) {
        return switch (m) {
            case INT4_NIBBLES_SWAPPED, SCALE_LSB_FLIPPED, INT8_ASYM_CODES_SIGNED -> BlockKit.class;
            case DECODE_STAGES_REVERSED -> OpsKit.class;
            case TIES_TO_HIGHEST, SECOND_NEAREST_SOMETIMES, CHANGED_MISCOUNTED, EMPTY_CLUSTERS_ZEROED,
                 UPDATE_OFF_BY_1E3 -> KMeansKit.class;
            case UNCHECKED_IDS, WRITES_BEFORE_CHECK -> BadInputKit.class;
            case SHARED_SCRATCH -> ConcurrencyKit.class;
            case CLUSTER_SKIPS_LAST_UPDATE, SPAN_REUSES_STAGE_SEED, CLUSTER_IGNORES_FIRST_SLICE -> CoarseKit.class;
        };
    }

    /** The test (method name) that must fail for each mutation. */
    private static String mustFail(Mutation m) {
        return switch (m) {
            case INT4_NIBBLES_SWAPPED -> "quantizePackFixturesAtModelHeadDims";
            case SCALE_LSB_FLIPPED -> "goldenBytes";
            case INT8_ASYM_CODES_SIGNED -> "unpackDequantOfArbitraryStoredBits";
            case DECODE_STAGES_REVERSED -> "decodeEqualsReferenceDecoder";
            case TIES_TO_HIGHEST -> "assignExactTiesGoToLowestIndex";
            case SECOND_NEAREST_SOMETIMES -> "assignMatchesReferenceExceptNearTies";
            case CHANGED_MISCOUNTED -> "assignTwiceReportsNoChange";
            case EMPTY_CLUSTERS_ZEROED -> "updateCentroidsKeepsEmptyClusters";
            case UPDATE_OFF_BY_1E3 -> "updateCentroidsMatchesReference";
            case UNCHECKED_IDS -> "badInputIsRefusedLikeTheReference";
            case WRITES_BEFORE_CHECK -> "badInputIsRefusedLikeTheReference";
            case SHARED_SCRATCH -> "concurrentCallsWhenThreadSafe";
            case CLUSTER_SKIPS_LAST_UPDATE -> "clusterEqualsItsComposition";
            case SPAN_REUSES_STAGE_SEED -> "encodeSpanEqualsItsComposition";
            case CLUSTER_IGNORES_FIRST_SLICE -> "clusterOfPartsEqualsTheWhole";
        };
    }

    @ParameterizedTest
    @EnumSource(Mutation.class)
    void kitFailsTheMutant(Mutation m) {
        current = m;
        KitRun.assertKitFails(kitFor(m), m.toString(), mustFail(m));
    }
}
