package dev.qvg.bench;

/**
 * Caps OpenBLAS (through ND4J) at the benchmark's thread count. Loading ND4J is left to this
 * call's first use; where it cannot load, backends cannot use it either, so there is nothing to
 * cap and the failure is ignored.
 */
final class BlasThreads {

    private BlasThreads() {
    }

    static void limit(int threads) {
        try {
            org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
        } catch (Throwable t) {
            // UnsatisfiedLinkError or NoClassDefFoundError: no native BLAS here, so none to cap.
            System.err.println("qvg-bench: ND4J not loadable, BLAS threads not capped (" + t + ")");
        }
    }
}
