package dev.qvg.io.names;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClustererProvider;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.ResidualQuantizerProvider;
import dev.qvg.api.spi.Smoother;
import dev.qvg.api.spi.SmootherProvider;

/**
 * qvg-io's tests write and read configs but never run them, and this module cannot depend on
 * the provider jars (they depend on it): these register the published pipeline's provider names
 * so that configs built without names resolve to the same names as in the product. Creating
 * anything from them fails.
 */
public final class NameOnlyProviders {

    private NameOnlyProviders() {
    }

    static UnsupportedOperationException namesOnly() {
        return new UnsupportedOperationException("qvg-io's test providers are names only");
    }

    public static final class Method implements QuantizerProvider {
        @Override
        public String name() {
            return "prq";
        }

        @Override
        public Quantizer create(QuantizerConfig config, QuantizerContext context) {
            throw namesOnly();
        }
    }

    public static final class Cpu implements BackendProvider {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public Backend create() {
            throw namesOnly();
        }
    }

    public static final class KMeans implements ClustererProvider {
        @Override
        public String name() {
            return "kmeans";
        }

        @Override
        public Clusterer create() {
            throw namesOnly();
        }
    }

    public static final class Sas implements SmootherProvider {
        @Override
        public String name() {
            return "sas";
        }

        @Override
        public Smoother create() {
            throw namesOnly();
        }
    }

    public static final class Prq implements ResidualQuantizerProvider {
        @Override
        public String name() {
            return "prq";
        }

        @Override
        public ResidualQuantizer create() {
            throw namesOnly();
        }
    }
}
