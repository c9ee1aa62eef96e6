// Fused unpack + dequant + centroid accumulation kernel bodies: the operation every cache read
// calls. With vec = 4 (rows of the blocks and of the batch both a multiple of 4 long) each thread
// decodes 4 consecutive elements and writes them with one 16-byte (f32) or 8-byte (bf16) store,
// sharing the row's index arithmetic; otherwise one element per thread. The loads a warp makes
// (packed bytes, scales, ids, centroid rows) are contiguous, so the stores dominate the traffic.
#pragma once
#include "qvg_bodies.cuh"
#include "qvg_simt.cuh"

#define QVG_DECODE_PARAMS                                                                                       \
    const unsigned char *codes, const unsigned short *scales, const unsigned short *zeros, long long numel,     \
        int cols, int bytesPerRow, int blockSize, int bits, int symmetric, int qmax, int fp8, int dim,          \
        int tokens, int nStages, const unsigned short *stageCentroids, const int *stageIds,                     \
        const long long *stageCentroidOffset, const int *stageClusters, int vec

#define QVG_DECODE_ARGS                                                                                         \
    codes, scales, zeros, numel, cols, bytesPerRow, blockSize, bits, symmetric, qmax, fp8, dim, tokens,        \
        nStages, stageCentroids, stageIds, stageCentroidOffset, stageClusters, vec

#define QVG_DECODE_RUN(t0, n, out)                                                                              \
    qvg_decode_run(codes, scales, zeros, cols, bytesPerRow, blockSize, bits, symmetric, qmax, fp8, (t0), (n),   \
                   dim, tokens, nStages, stageCentroids, stageIds, stageCentroidOffset, stageClusters,          \
                   (int)(numel / dim), (out))

QVG_BODY void qvg_decode_f32_body(const QvgThread& th, QVG_DECODE_PARAMS, float* out) {
    long long q = (long long)th.bx() * th.bdim() + th.tid();
    if (vec == 4) {
        if (q * 4 >= numel) return;
        float v[4];
        QVG_DECODE_RUN((int)(q * 4), 4, v);
#if defined(__CUDACC__)
        reinterpret_cast<float4*>(out)[q] = make_float4(v[0], v[1], v[2], v[3]);
#else
        for (int i = 0; i < 4; i++) out[q * 4 + i] = v[i];
#endif
    } else {
        if (q >= numel) return;
        QVG_DECODE_RUN((int)q, 1, out + q);
    }
}

// The same values rounded to bf16 (round to nearest even, as Bf16.fromFloat), for attention
// kernels that read bf16.
QVG_BODY void qvg_decode_bf16_body(const QvgThread& th, QVG_DECODE_PARAMS, unsigned short* out) {
    long long q = (long long)th.bx() * th.bdim() + th.tid();
    if (vec == 4) {
        if (q * 4 >= numel) return;
        float v[4];
        QVG_DECODE_RUN((int)(q * 4), 4, v);
#if defined(__CUDACC__)
        reinterpret_cast<ushort4*>(out)[q] = make_ushort4(qvg_bf16_encode(v[0]), qvg_bf16_encode(v[1]),
                                                          qvg_bf16_encode(v[2]), qvg_bf16_encode(v[3]));
#else
        for (int i = 0; i < 4; i++) out[q * 4 + i] = qvg_bf16_encode(v[i]);
#endif
    } else {
        if (q >= numel) return;
        float v;
        QVG_DECODE_RUN((int)q, 1, &v);
        out[q] = qvg_bf16_encode(v);
    }
}
