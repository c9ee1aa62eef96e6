package dev.qvg.tck;

import dev.qvg.api.spi.Backend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The whole conformance kit in one class: subclass it, implement {@link #newBackend()}, and
 * override a capability switch only for a feature the backend really lacks.
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends BaseBackendTestCase {
 *     @Override
 *     protected Backend newBackend() {
 *         return Qvg.backends().getAvailable("mine").create();
 *     }
 * }
 * }</pre>
 *
 * Each group below is one of the focused test cases ({@link BaseBlockQuantTestCase},
 * {@link BaseKMeansKernelsTestCase}, {@link BaseCoarseOpsTestCase}, {@link BaseCentroidOpsTestCase}, {@link BasePipelineTestCase},
 * {@link BaseConcurrencyTestCase}, {@link BaseBadInputTestCase}), run with this class's hook and switches and a backend of its
 * own. Reproduce a failure with the {@code -Dqvg.tck.seed=...} its message names.
 *
 * <p>The kit is meant to be the definition of a conforming backend: any bug it lets through is a
 * gap in the kit, and a report of one (backend, seed, what went wrong) is a welcome bug report.
 */
public abstract class BaseBackendTestCase extends BackendTestCase {

    @Nested
    @DisplayName("block quantization")
    class BlockQuantization extends BaseBlockQuantTestCase {
        @Override
        protected Backend newBackend() {
            return BaseBackendTestCase.this.newBackend();
        }

        @Override
        protected BackendTestCase spec() {
            return BaseBackendTestCase.this;
        }
    }

    @Nested
    @DisplayName("k-means kernels")
    class KMeansKernels extends BaseKMeansKernelsTestCase {
        @Override
        protected Backend newBackend() {
            return BaseBackendTestCase.this.newBackend();
        }

        @Override
        protected BackendTestCase spec() {
            return BaseBackendTestCase.this;
        }
    }

    @Nested
    @DisplayName("coarse operations")
    class CoarseOps extends BaseCoarseOpsTestCase {
        @Override
        protected Backend newBackend() {
            return BaseBackendTestCase.this.newBackend();
        }

        @Override
        protected BackendTestCase spec() {
            return BaseBackendTestCase.this;
        }
    }

    @Nested
    @DisplayName("centroid ops and decode")
    class CentroidOps extends BaseCentroidOpsTestCase {
        @Override
        protected Backend newBackend() {
            return BaseBackendTestCase.this.newBackend();
        }

        @Override
        protected BackendTestCase spec() {
            return BaseBackendTestCase.this;
        }
    }

    @Nested
    @DisplayName("pipelines")
    class Pipelines extends BasePipelineTestCase {
        @Override
        protected Backend newBackend() {
            return BaseBackendTestCase.this.newBackend();
        }

        @Override
        protected BackendTestCase spec() {
            return BaseBackendTestCase.this;
        }
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency extends BaseConcurrencyTestCase {
        @Override
        protected Backend newBackend() {
            return BaseBackendTestCase.this.newBackend();
        }

        @Override
        protected BackendTestCase spec() {
            return BaseBackendTestCase.this;
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput extends BaseBadInputTestCase {
        @Override
        protected Backend newBackend() {
            return BaseBackendTestCase.this.newBackend();
        }

        @Override
        protected BackendTestCase spec() {
            return BaseBackendTestCase.this;
        }
    }
}
