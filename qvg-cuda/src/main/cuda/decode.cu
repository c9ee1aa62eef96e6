// Fused decode kernels: thin wrappers over the bodies in qvg_decode.cuh (which the host emulation
// in the tests runs too).
#include "qvg_decode.cuh"

extern "C" __global__ void __launch_bounds__(256) qvg_decode_f32(QVG_DECODE_PARAMS, float* out) {
    qvg_decode_f32_body(QvgThread(), QVG_DECODE_ARGS, out);
}

extern "C" __global__ void __launch_bounds__(256) qvg_decode_bf16(QVG_DECODE_PARAMS, unsigned short* out) {
    qvg_decode_bf16_body(QvgThread(), QVG_DECODE_ARGS, out);
}
