// Block quantize + pack kernels: thin wrappers over the bodies in qvg_quant.cuh (which the host
// emulation in the tests runs too).
#include "qvg_quant.cuh"

extern "C" __global__ void __launch_bounds__(256)
qvg_block_stats(const float* x, long long nblocks, int blockSize, int symmetric, int qmax, int fp8,
                unsigned short* scales, unsigned short* zeros, float* usedScale, float* usedZero) {
    qvg_block_stats_body(QvgThread(), x, nblocks, blockSize, symmetric, qmax, fp8, scales, zeros, usedScale, usedZero);
}

extern "C" __global__ void __launch_bounds__(256)
qvg_pack(const float* x, long long rows, int cols, int bytesPerRow, int blockSize, int bits, int symmetric, int qmax,
         const float* usedScale, const float* usedZero, unsigned char* codes) {
    qvg_pack_body(QvgThread(), x, rows, cols, bytesPerRow, blockSize, bits, symmetric, qmax, usedScale, usedZero, codes);
}
