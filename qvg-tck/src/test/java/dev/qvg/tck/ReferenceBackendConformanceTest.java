package dev.qvg.tck;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;

/**
 * The kit against the executable specification itself: every check must hold, and the golden
 * arrays (computed by hand) must agree with {@code BlockCodec}.
 */
class ReferenceBackendConformanceTest extends BaseBackendTestCase {

    @Override
    protected Backend newBackend() {
        return new ReferenceBackend();
    }

    /** Pure functions over the arguments: concurrent calls are safe. */
    @Override
    protected boolean threadSafe() {
        return true;
    }
}
