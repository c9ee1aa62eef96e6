package dev.qvg.tck;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.Smoother;
import org.junit.jupiter.api.Nested;

/**
 * The kits of every SPI run against the built-in providers, each looked up by its registry name
 * as a user (or {@code qvg conformance}) would.
 */
class BuiltInProvidersKitTest {

    static QuantizerContext referenceContext() {
        return new QuantizerContext(new ReferenceBackend(), Qvg.clusterers().getAvailable("kmeans").create(),
                Qvg.smoothers().getAvailable("sas").create(), Qvg.residuals().getAvailable("prq").create());
    }

    /** The reference kernels' registered name in this module's tests ({@link ReferenceBackendTestProvider}). */
    static final String REFERENCE = ReferenceBackendTestProvider.NAME;

    static Quantizer method(String name, QuantizerConfig.Builder b) {
        QuantizerConfig c = b.method(name).backend(REFERENCE).build();
        return Qvg.quantizers().getAvailable(name).create(c, referenceContext());
    }

    @Nested
    class KMeansClustererKit extends BaseClustererTestCase {
        @Override
        protected Clusterer newClusterer() {
            return Qvg.clusterers().getAvailable("kmeans").create();
        }
    }

    @Nested
    class SasSmootherKit extends BaseSmootherTestCase {
        @Override
        protected Smoother newSmoother() {
            return Qvg.smoothers().getAvailable("sas").create();
        }
    }

    @Nested
    class PrqResidualQuantizerKit extends BaseResidualQuantizerTestCase {
        @Override
        protected ResidualQuantizer newResidualQuantizer() {
            return Qvg.residuals().getAvailable("prq").create();
        }
    }

    @Nested
    class RtnKit extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            return method("rtn", QuantizerConfig.builder().blockSize(32));
        }
    }

    @Nested
    class RtnClipKit extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            return method("rtn-clip", QuantizerConfig.builder().bits(4).blockSize(16));
        }
    }

    @Nested
    class KiviKit extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            return method("kivi", QuantizerConfig.builder().bits(4));
        }
    }

    @Nested
    class SasKit extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            return method("sas", QuantizerConfig.builder().clusters(16).maxIters(8));
        }
    }

    @Nested
    class PrqWithRecentTokensKit extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            // the newest 40 of the kit's 160 tokens stay BF16: parts, budget and round trip still hold
            return method("prq", QuantizerConfig.builder().stages(2).clusters(8).maxIters(6).blockSize(16)
                    .param("recent_tokens", "40"));
        }
    }

    @Nested
    class PrqKit extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            return method("prq", QuantizerConfig.builder().stages(2).clusters(8).maxIters(6).blockSize(16));
        }
    }
}
