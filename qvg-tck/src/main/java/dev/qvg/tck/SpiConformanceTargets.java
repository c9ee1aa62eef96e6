package dev.qvg.tck;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.Smoother;

/**
 * The kits of the other SPIs bound to the provider {@link ConformanceRunner#runProvider} names,
 * looked up in the registry as users get it. Not run by a build (no test-pattern name; they live
 * in the main jar); run alone they fail, saying so.
 */
final class SpiConformanceTargets {

    /** The registry name of the provider under test, installed by the runner. */
    static volatile String name;

    private SpiConformanceTargets() {
    }

    static String name() {
        String n = name;
        if (n == null) {
            throw new IllegalStateException("the SPI conformance targets run only under ConformanceRunner.runProvider(...)");
        }
        return n;
    }

    static class ClustererTarget extends BaseClustererTestCase {
        @Override
        protected Clusterer newClusterer() {
            return Qvg.clusterers().getAvailable(name()).create();
        }
    }

    static class SmootherTarget extends BaseSmootherTestCase {
        @Override
        protected Smoother newSmoother() {
            return Qvg.smoothers().getAvailable(name()).create();
        }
    }

    static class ResidualTarget extends BaseResidualQuantizerTestCase {
        @Override
        protected ResidualQuantizer newResidualQuantizer() {
            return Qvg.residuals().getAvailable(name()).create();
        }
    }

    /**
     * A method with its default knobs on the reference backend, the registry's {@code kmeans},
     * {@code sas} and {@code prq}, at block 16 so the kit's shapes suit it.
     */
    static class MethodTarget extends BaseQuantizerTestCase {
        @Override
        protected Quantizer newQuantizer() {
            QuantizerConfig c = QuantizerConfig.builder().method(name()).blockSize(16).clusters(16).maxIters(10).build();
            QuantizerContext ctx = new QuantizerContext(new ReferenceBackend(), Qvg.clusterers().getAvailable("kmeans").create(),
                    Qvg.smoothers().getAvailable("sas").create(), Qvg.residuals().getAvailable("prq").create());
            return Qvg.quantizers().getAvailable(name()).create(c, ctx);
        }
    }
}
