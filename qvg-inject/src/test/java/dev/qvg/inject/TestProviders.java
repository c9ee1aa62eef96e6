package dev.qvg.inject;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.spi.ResidualQuantizer;
import dev.qvg.api.spi.ResidualQuantizerProvider;
import dev.qvg.api.spi.Smoother;
import dev.qvg.api.spi.SmootherProvider;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.lang.reflect.Proxy;

/**
 * The providers this module's tests assemble pipelines from (listed in the test resources'
 * services files): the reference kernels as backend {@code testref}, a {@code stub} smoother and
 * residual quantizer, and methods {@code echo} (a quantizer that records its context) and
 * {@code refuses} (a method that refuses every config). There is deliberately no clusterer
 * provider: a config naming {@code kmeans} is a part named but absent, as when qvg-smoothing is
 * left out; the tests that assemble a whole pipeline bind a {@link #stub} clusterer in a module.
 */
final class TestProviders {

    private TestProviders() {
    }

    /** An instance of {@code type} whose every method fails: a part that is assembled, never run. */
    static <T> T stub(Class<T> type, String name) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) ->
                switch (m.getName()) {
                    case "toString" -> name;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "name" -> name;
                    default -> throw new UnsupportedOperationException(name + "." + m.getName());
                }));
    }

    public static final class TestRef implements BackendProvider {
        @Override
        public String name() {
            return "testref";
        }

        @Override
        public Backend create() {
            return new ReferenceBackend();
        }
    }

    public static final class StubSmoother implements SmootherProvider {
        @Override
        public String name() {
            return "stub";
        }

        @Override
        public Smoother create() {
            return stub(Smoother.class, "stub smoother");
        }
    }

    public static final class StubResidual implements ResidualQuantizerProvider {
        @Override
        public String name() {
            return "stub";
        }

        @Override
        public ResidualQuantizer create() {
            return stub(ResidualQuantizer.class, "stub residual");
        }
    }

    /** A quantizer that keeps its config and context and records being closed. */
    static final class EchoQuantizer implements Quantizer {
        final QuantizerConfig config;
        final QuantizerContext context;
        volatile boolean closed;

        EchoQuantizer(QuantizerConfig config, QuantizerContext context) {
            this.config = config;
            this.context = context;
        }

        @Override
        public QuantizerConfig config() {
            return config;
        }

        @Override
        public QuantizedKv quantize(KvTensor x, KvRole role) {
            throw new UnsupportedOperationException("echo quantizes nothing");
        }

        @Override
        public KvTensor dequantize(QuantizedKv q) {
            throw new UnsupportedOperationException("echo decodes nothing");
        }

        @Override
        public BitBudget budget(KvShape shape, KvRole role) {
            throw new UnsupportedOperationException("echo has no budget");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    public static final class Echo implements QuantizerProvider {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public Quantizer create(QuantizerConfig config, QuantizerContext context) {
            return new EchoQuantizer(config, context);
        }
    }

    public static final class Refuses implements QuantizerProvider {
        @Override
        public String name() {
            return "refuses";
        }

        @Override
        public Quantizer create(QuantizerConfig config, QuantizerContext context) {
            throw new IllegalArgumentException("refuses: bits must be 5, got " + config.quant().bits());
        }
    }
}
