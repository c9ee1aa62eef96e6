package dev.qvg.cuda;

import jcuda.driver.CUresult;

/** Checks CUDA driver results without switching on JCuda's global exception mode. */
final class Cu {

    private Cu() {
    }

    /** Throws {@link CudaFailure} naming the call and the driver's error when {@code result} is not success. */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaFailure(call + " failed: " + CUresult.stringFor(result) + " (" + result + ")");
        }
    }

    /** A CUDA driver call failed: a device or driver problem, not a bad argument. */
    static final class CudaFailure extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        CudaFailure(String message) {
            super(message);
        }
    }
}
