// Per-thread bodies of the elementwise kernels. The __global__ wrappers in the .cu files only map
// thread indices to these calls, so the host emulation in the unit tests runs exactly this code
// over every index and compares it with the Java reference.
#pragma once
#include "qvg_math.cuh"

// The reference's distance from the three float32 sums: (|x|^2 - 2 x.c) + |c|^2, no FMA.
QVG_HD float qvg_distance(float xx, float xc, float cc) {
    return QVG_FADD(QVG_FSUB(xx, QVG_FMUL(2.0f, xc)), cc);
}

// Whether the candidate (od, ok) beats the partial minimum (d, k) when merging threads' results:
// smaller distance first, then lower index; k < 0 marks "no finite candidate yet". Together with
// a strict '<' inside each thread this selects the first index of the minimum, as the reference's
// sequential scan does (NaN distances are never selected; if nothing is, the id is 0).
QVG_HD bool qvg_argmin_better(float od, int ok, float d, int k) {
    return ok >= 0 && (k < 0 || od < d || (od == d && ok < k));
}

// Block statistics of one quantization block, in element order (the device kernel reduces across
// a warp instead: max and min are exact and, with the Java semantics of qvg_jmax/qvg_jmin,
// independent of order, so both give the same bits).
QVG_HD void qvg_block_stats_serial(const float* x, int blockSize, int symmetric, float* lo, float* hi) {
    float mn = QVG_I2F_BITS(0x7F800000u), mx = QVG_I2F_BITS(0xFF800000u), absmax = 0.0f;
    for (int i = 0; i < blockSize; i++) {
        float v = x[i];
        if (symmetric) {
            absmax = qvg_jmax(absmax, qvg_jabs(v));
        } else {
            mn = qvg_jmin(mn, v);
            mx = qvg_jmax(mx, v);
        }
    }
    *lo = symmetric ? 0.0f : mn;
    *hi = symmetric ? absmax : mx;
}

// Output byte j of one packed row: the MSB-first bit stream of the stored codes (BlockCodec.packRow),
// padding bits after the last code are zero.
QVG_HD unsigned char qvg_pack_byte(const float* xrow, int cols, const float* rowUsedScale, const float* rowUsedZero,
                                   int blockSize, int bits, int symmetric, int qmax, int j) {
    long long first = ((long long)j * 8) / bits;
    long long last = ((long long)j * 8 + 7) / bits;
    unsigned int out = 0;
    for (long long c = first; c <= last && c < cols; c++) {
        int b = (int)(c / blockSize);
        int code = qvg_quantize_value(xrow[c], rowUsedScale[b], rowUsedZero[b], symmetric, qmax);
        unsigned int u = qvg_stored_code(code, bits, symmetric, qmax);
        long long off = c * bits - (long long)j * 8;     // first bit of code c relative to the byte's MSB
        int sh = (int)(8 - off - bits);                     // left shift that puts the code in place
        out |= sh >= 0 ? (u << sh) : (u >> (-sh));
    }
    return (unsigned char)(out & 0xFFu);
}

// Elements [t0, t0 + n) (row-major) of the fused reconstruction, all in one row of the blocks and
// one row of the batch: dequant(blocks) + sum over stages, in stage order, of the bf16 centroid of
// the element's row (Backend.decode = unpackDequant, then accumulateCentroids per stage, each a
// float32 add). The blocks are [rows, cols]; the stages see the same values as a slice batch of
// rows of `dim` (usually dim == cols), `tokens` rows a slice. Indices fit in 32 bits because every
// array involved is a Java array (fewer than 2^31 elements); only the offsets into the
// concatenated stage centroids may not.
QVG_HD void qvg_decode_run(const unsigned char* codes, const unsigned short* scales, const unsigned short* zeros,
                           int cols, int bytesPerRow, int blockSize, int bits, int symmetric, int qmax, int fp8,
                           int t0, int n, int dim, int tokens, int nStages, const unsigned short* stageCentroids,
                           const int* stageIds, const long long* stageCentroidOffset, const int* stageClusters,
                           int batchRows, float* out) {
    int row = t0 / cols;
    int col0 = t0 - row * cols;
    const unsigned char* rowCodes = codes + (long long)row * bytesPerRow;
    int firstBlock = row * (cols / blockSize);
    int brow = t0 / dim;
    int d0 = t0 - brow * dim;
    int slice = brow / tokens;
    for (int i = 0; i < n; i++) {
        int col = col0 + i;
        int si = firstBlock + col / blockSize;
        float scale = qvg_scale_decode(scales[si], fp8);
        float zero = symmetric ? 0.0f : qvg_scale_decode(zeros[si], fp8);
        float v = qvg_dequant_value(qvg_unpack_code(rowCodes, col, bits, symmetric, qmax), scale, zero, symmetric);
        for (int s = 0; s < nStages; s++) {
            int id = stageIds[(long long)s * batchRows + brow];
            long long at = stageCentroidOffset[s] + ((long long)slice * stageClusters[s] + id) * dim + d0 + i;
            v = QVG_FADD(v, qvg_bf16_decode(stageCentroids[at]));
        }
        out[i] = v;
    }
}
