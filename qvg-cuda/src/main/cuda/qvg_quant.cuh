// Block quantize + pack kernel bodies (spec section 6), bit-exact with dev.qvg.api.quant.BlockCodec.
// Two passes: qvg_block_stats computes each block's stored scale/zero (one warp per block),
// qvg_pack computes the codes and writes the packed bytes (one thread per output byte, so any
// bit width and block size packs without cross-thread bit merging; a 3-bit code that straddles
// two bytes is computed by both threads, identically).
#pragma once
#include "qvg_bodies.cuh"
#include "qvg_simt.cuh"

QVG_BODY void qvg_block_stats_body(const QvgThread& th, const float* x, long long nblocks, int blockSize, int symmetric,
                                   int qmax, int fp8, unsigned short* scales, unsigned short* zeros, float* usedScale,
                                   float* usedZero) {
    long long blk = ((long long)th.bx() * th.bdim() + th.tid()) >> 5;
    int lane = th.tid() & 31;
    if (blk >= nblocks) return;  // whole warps leave together: blk is uniform across a warp
    const float* xb = x + blk * blockSize;
    float mn = QVG_I2F_BITS(0x7F800000u), mx = QVG_I2F_BITS(0xFF800000u), absmax = 0.0f;
    for (int i = lane; i < blockSize; i += 32) {
        float v = xb[i];
        if (symmetric) {
            absmax = qvg_jmax(absmax, qvg_jabs(v));
        } else {
            mn = qvg_jmin(mn, v);
            mx = qvg_jmax(mx, v);
        }
    }
    // Max and min are exact and (with Java's NaN/signed-zero rules) order-independent for finite
    // values, so this tree gives the bits of the reference's sequential loop.
    for (int o = 16; o > 0; o >>= 1) {
        absmax = qvg_jmax(absmax, th.shflXor(absmax, o));
        mn = qvg_jmin(mn, th.shflXor(mn, o));
        mx = qvg_jmax(mx, th.shflXor(mx, o));
    }
    if (lane == 0) {
        unsigned short s, z = 0;
        float us, uz;
        qvg_block_params(symmetric ? 0.0f : mn, symmetric ? absmax : mx, symmetric, qmax, fp8, &s, &z, &us, &uz);
        scales[blk] = s;
        if (!symmetric) zeros[blk] = z;
        usedScale[blk] = us;
        usedZero[blk] = uz;
    }
}

QVG_BODY void qvg_pack_body(const QvgThread& th, const float* x, long long rows, int cols, int bytesPerRow,
                            int blockSize, int bits, int symmetric, int qmax, const float* usedScale,
                            const float* usedZero, unsigned char* codes) {
    long long q = (long long)th.bx() * th.bdim() + th.tid();
    if (q >= rows * bytesPerRow) return;
    int t = (int)q;  // a Java byte array: fewer than 2^31 entries
    int row = t / bytesPerRow;
    int j = t - row * bytesPerRow;
    int blocksPerRow = cols / blockSize;
    codes[t] = qvg_pack_byte(x + (long long)row * cols, cols, usedScale + row * blocksPerRow,
                             usedZero + row * blocksPerRow, blockSize, bits, symmetric, qmax, j);
}
