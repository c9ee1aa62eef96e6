package dev.qvg.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvg.api.spi.Availability;

/** Skips a GPU test where the cuda provider is unavailable, printing why (as the build's tag rules ask). */
final class GpuAssumptions {

    private GpuAssumptions() {
    }

    static void assumeGpu(String test) {
        Availability a = new CudaBackendProvider().availability();
        if (!a.available()) {
            System.out.println(test + " skipped: " + a.reason());
        }
        assumeTrue(a.available(), a.reason());
    }
}
