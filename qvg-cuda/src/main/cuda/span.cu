// Span-encoding kernels: thin wrappers over the bodies in qvg_span.cuh (which the host emulation
// in the tests runs too).
#include "qvg_span.cuh"

extern "C" __global__ void __launch_bounds__(256)
qvg_round_bf16(const float* c, long long n, unsigned short* out) {
    qvg_round_bf16_body(QvgThread(), c, n, out);
}

extern "C" __global__ void __launch_bounds__(256)
qvg_subtract_bf16(float* x, const int* ids, const unsigned short* cb, long long rows, int tokens, int dim,
                  int clusters, int* firstBad) {
    qvg_subtract_bf16_body(QvgThread(), x, ids, cb, rows, tokens, dim, clusters, firstBad);
}

extern "C" __global__ void __launch_bounds__(256)
qvg_gather_rows(const float* x, const int* rows, long long slices, int tokens, int dim, int clusters, float* out) {
    qvg_gather_rows_body(QvgThread(), x, rows, slices, tokens, dim, clusters, out);
}
