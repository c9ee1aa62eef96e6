package dev.qvg.tck;

import dev.qvg.api.spi.Backend;
import java.util.function.Supplier;

/**
 * The kit bound to whatever backend {@link ConformanceRunner} is running: the runner selects this
 * class with the JUnit launcher after installing the backend factory. Not meant to be run by a
 * build (its name matches no test pattern, and it lives in the main jar); run alone it fails,
 * saying so.
 */
class ConformanceTarget extends BaseBackendTestCase {

    private static volatile Supplier<Backend> factory;
    private static volatile boolean threadSafe;

    static void install(Supplier<Backend> f, boolean isThreadSafe) {
        factory = f;
        threadSafe = isThreadSafe;
    }

    @Override
    protected boolean threadSafe() {
        return threadSafe;
    }

    @Override
    protected Backend newBackend() {
        Supplier<Backend> f = factory;
        if (f == null) {
            throw new IllegalStateException("ConformanceTarget runs only under ConformanceRunner.run(...)");
        }
        return f.get();
    }
}
