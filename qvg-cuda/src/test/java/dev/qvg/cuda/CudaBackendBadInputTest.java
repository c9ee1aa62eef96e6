package dev.qvg.cuda;

import dev.qvg.api.spi.Backend;
import dev.qvg.tck.BaseBadInputTestCase;

/**
 * The kit's bad-input group against the cuda backend's argument checks, which run before any
 * device work and so can be checked on every machine (with a device-less instance); on a GPU the
 * full kit runs them again through {@link CudaBackendConformanceTest}.
 */
class CudaBackendBadInputTest extends BaseBadInputTestCase {

    @Override
    protected Backend newBackend() {
        return CudaBackend.validationOnly();
    }
}
