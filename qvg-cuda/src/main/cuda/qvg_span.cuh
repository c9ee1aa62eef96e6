// Kernel bodies of a span encoded on the device (CudaBackend.encodeSpan), between the k-means of
// a stage and the next: the centroids rounded to their stored bf16, the stored centroids
// subtracted from the resident residual, and the gather of drawn rows as initial centroids.
// Bit-exact with dev.qvg.api.reference.SpanEncoding: the bf16 encoder is Bf16.fromFloat's, and
// subtracting the decoded bf16 value is what subtracting ClusterStage.centroidsAsFloat() does.
#pragma once
#include "qvg_bodies.cuh"
#include "qvg_simt.cuh"

// out[i] = bf16(c[i]) for n values, one thread each.
QVG_BODY void qvg_round_bf16_body(const QvgThread& th, const float* c, long long n, unsigned short* out) {
    long long i = (long long)th.bx() * th.bdim() + th.tid();
    if (i >= n) return;
    out[i] = qvg_bf16_encode(c[i]);
}

// x[row] -= bf16 centroid ids[row] of the row's slice, one thread per element. The smallest
// element index whose result is not finite goes to *firstBad (initialised to INT_MAX by the
// caller): the next stage's k-means refuses non-finite points, and this says so without
// copying the residual back.
QVG_BODY void qvg_subtract_bf16_body(const QvgThread& th, float* x, const int* ids, const unsigned short* cb,
                                     long long rows, int tokens, int dim, int clusters, int* firstBad) {
    long long q = (long long)th.bx() * th.bdim() + th.tid();
    if (q >= rows * dim) return;
    int t = (int)q;  // a Java array: fewer than 2^31 elements
    int row = t / dim;
    int d = t - row * dim;
    int slice = row / tokens;
    float v = QVG_FSUB(x[t], qvg_bf16_decode(cb[((long long)slice * clusters + ids[row]) * dim + d]));
    x[t] = v;
    if (!(qvg_jabs(v) <= 3.4028234663852886e38f)) qvg_atomic_min(firstBad, t);  // infinite or NaN
}

// out[(i * K + k) * D + d] = x[(i * S + rows[i * K + k]) * D + d]: the rows each slice's
// generator drew (CentroidInit's random init) copied as its first centroids, one thread per element.
QVG_BODY void qvg_gather_rows_body(const QvgThread& th, const float* x, const int* rows, long long slices, int tokens,
                                   int dim, int clusters, float* out) {
    long long q = (long long)th.bx() * th.bdim() + th.tid();
    if (q >= slices * clusters * dim) return;
    long long c = q / dim;  // centroid (slice * K + k)
    int d = (int)(q - c * dim);
    long long slice = c / clusters;
    out[q] = x[(slice * tokens + rows[c]) * dim + d];
}
