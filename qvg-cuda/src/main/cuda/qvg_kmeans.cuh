// K-means kernel bodies over a batch of independent slices (slice i: rows [i*tokens, (i+1)*tokens),
// centroids [i*clusters, (i+1)*clusters)), bit-exact with dev.qvg.api.reference.ReferenceKernels:
// - distances are |x|^2 - 2 x.c + |c|^2 with each of the three float32 sums accumulated in
//   dimension order, product then add (no FMA), exactly as the Java loop; the tiling below only
//   changes which thread owns a (row, centroid) pair, never the order of its sum, so the ids equal
//   the reference's, ties included (ties go to the lowest index);
// - centroid means are double sums in row order divided in double, as the reference (the rows of
//   each cluster are first put in row order by a stable counting sort).
#pragma once
#include "qvg_bodies.cuh"
#include "qvg_simt.cuh"

// |v|^2 of `rows` rows of `dim` floats, accumulated in dimension order (one thread per row).
QVG_BODY void qvg_row_sqnorm_body(const QvgThread& th, const float* x, long long rows, int dim, float* out) {
    long long r = (long long)th.bx() * th.bdim() + th.tid();
    if (r >= rows) return;
    const float* v = x + r * dim;
    float acc = 0.0f;
    for (int d = 0; d < dim; d++) acc = QVG_FADD(acc, QVG_FMUL(v[d], v[d]));
    out[r] = acc;
}

#define AS_TM 64   // rows per CUDA block
#define AS_TN 64   // centroids per tile
#define AS_TD 16   // dimensions per shared-memory stage

// Assignment: grid (ceil(tokens / 64), slices), 256 threads as 16 x 16; thread (ty, tx) owns
// rows ty + 16 i and centroids tx + 16 j (i, j < 4) of each tile, so it visits its centroids in
// increasing index order and a strict '<' keeps the lowest index among its ties; the 16 partial
// minima of a row are then merged preferring the smaller distance, then the smaller index.
QVG_BODY void qvg_assign_body(const QvgThread& th, const float* points, const float* centroids,
                              const float* pointNorms, const float* centNorms, int tokens, int dim, int clusters,
                              const int* active, int* ids, int* changed) {
    const int slice = th.by();
    if (active[slice] == 0) return;
    QVG_SHARED float xs[AS_TD][AS_TM + 1];
    QVG_SHARED float cs[AS_TD][AS_TN + 1];
    const int tid = th.tid(), tx = tid & 15, ty = tid >> 4;
    const long long rowBase = (long long)slice * tokens + (long long)th.bx() * AS_TM;  // global row of local row 0
    const int localRows = min(AS_TM, tokens - th.bx() * AS_TM);
    const float* X = points + rowBase * dim;
    const float* C = centroids + (long long)slice * clusters * dim;
    const float* cn = centNorms + (long long)slice * clusters;

    float xx[4], bestD[4];
    int bestK[4];
    QVG_UNROLL
    for (int i = 0; i < 4; i++) {
        int r = ty + 16 * i;
        xx[i] = r < localRows ? pointNorms[rowBase + r] : 0.0f;
        bestD[i] = QVG_I2F_BITS(0x7F800000u);
        bestK[i] = -1;
    }

    for (int k0 = 0; k0 < clusters; k0 += AS_TN) {
        float acc[4][4];
        QVG_UNROLL
        for (int i = 0; i < 4; i++)
            QVG_UNROLL
            for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;
        const int tileK = min(AS_TN, clusters - k0);
        for (int d0 = 0; d0 < dim; d0 += AS_TD) {
            const int dn = min(AS_TD, dim - d0);
            for (int e = tid; e < AS_TM * AS_TD; e += 256) {
                int r = e / AS_TD, d = e - r * AS_TD;
                xs[d][r] = (r < localRows && d < dn) ? X[(long long)r * dim + d0 + d] : 0.0f;
                cs[d][r] = (r < tileK && d < dn) ? C[(long long)(k0 + r) * dim + d0 + d] : 0.0f;
            }
            th.sync();
            for (int d = 0; d < dn; d++) {
                float a[4], b[4];
                QVG_UNROLL
                for (int i = 0; i < 4; i++) a[i] = xs[d][ty + 16 * i];
                QVG_UNROLL
                for (int j = 0; j < 4; j++) b[j] = cs[d][tx + 16 * j];
                QVG_UNROLL
                for (int i = 0; i < 4; i++)
                    QVG_UNROLL
                    for (int j = 0; j < 4; j++) acc[i][j] = QVG_FADD(acc[i][j], QVG_FMUL(a[i], b[j]));
            }
            th.sync();
        }
        QVG_UNROLL
        for (int j = 0; j < 4; j++) {
            int k = k0 + tx + 16 * j;
            if (k >= clusters) continue;
            float cc = cn[k];
            QVG_UNROLL
            for (int i = 0; i < 4; i++) {
                float dist = qvg_distance(xx[i], acc[i][j], cc);
                if (dist < bestD[i]) {
                    bestD[i] = dist;
                    bestK[i] = k;
                }
            }
        }
    }

    // Merge across the 16 threads of a row group (lanes tx = 0..15 of one half warp).
    QVG_UNROLL
    for (int i = 0; i < 4; i++) {
        float d = bestD[i];
        int k = bestK[i];
        for (int o = 8; o > 0; o >>= 1) {
            float od = th.shflXor(d, o);
            int ok = th.shflXor(k, o);
            if (qvg_argmin_better(od, ok, d, k)) {
                d = od;
                k = ok;
            }
        }
        int r = ty + 16 * i;
        if (tx == 0 && r < localRows) {
            int id = k < 0 ? 0 : k;  // every distance NaN or infinite: the reference keeps index 0
            long long g = rowBase + r;
            if (ids[g] != id) qvg_atomic_add(&changed[slice], 1);
            ids[g] = id;
        }
    }
}

// Centroid update, step 1 of 2: a stable counting sort of each active slice's rows by cluster.
// Grid (slices), 256 threads, one block per slice (so no two blocks share a cursor). Writes, for
// slice i and cluster k, offsets[i*K + k] (where k's rows start in order[i*S ...]) and
// ends[i*K + k] (where they end), and order[i*S + ...] = the slice's row numbers grouped by
// cluster, rows of one cluster in increasing row order. Counting is integer arithmetic (atomic
// adds give the same counts in any order); the scatter is stable by construction: the rows are
// placed 256 at a time, each after every earlier row of its cluster (earlier chunks advanced the
// cursor; within the chunk it counts the lower threads with its id). So the result does not
// depend on scheduling, and step 2 sums every cluster in row order as the reference does, in
// O(S) work per slice rather than the O(K * S) of scanning every id once per cluster.
#define QVG_SORT_SHARED_K 2048  // up to this many clusters the counts and cursors live in shared memory

QVG_BODY void qvg_cluster_sort_body(const QvgThread& th, const int* ids, int tokens, int clusters, const int* active,
                                    int* offsets, int* ends, int* order) {
    const int slice = th.bx();
    if (active[slice] == 0) return;
    QVG_SHARED int part[256];
    QVG_SHARED int sid[256];
    QVG_SHARED int local[QVG_SORT_SHARED_K];
    const int tid = th.tid();
    const int* I = ids + (long long)slice * tokens;
    int* off = offsets + (long long)slice * clusters;
    int* end = ends + (long long)slice * clusters;
    int* ord = order + (long long)slice * tokens;
    // The counts, then the scatter cursors, then the ends: in shared memory when they fit (the
    // histogram's atomics on a few hot clusters are then cheap), else in `ends` itself.
    const bool shared = clusters <= QVG_SORT_SHARED_K;
    int* cur = shared ? local : end;

    for (int k = tid; k < clusters; k += 256) cur[k] = 0;
    th.sync();
    for (int t = tid; t < tokens; t += 256) qvg_atomic_add(&cur[I[t]], 1);
    th.sync();

    // Exclusive scan of the counts: thread t owns clusters [t * per, (t + 1) * per).
    const int per = (clusters + 255) / 256;
    const int k0 = min(clusters, tid * per), k1 = min(clusters, k0 + per);
    int sum = 0;
    for (int k = k0; k < k1; k++) sum += cur[k];
    part[tid] = sum;
    th.sync();
    if (tid == 0) {
        int run = 0;
        for (int t = 0; t < 256; t++) {
            int v = part[t];
            part[t] = run;
            run += v;
        }
    }
    th.sync();
    int run = part[tid];
    for (int k = k0; k < k1; k++) {
        int c = cur[k];
        off[k] = run;
        cur[k] = run;
        run += c;
    }
    th.sync();

    for (int c0 = 0; c0 < tokens; c0 += 256) {
        const int n = min(256, tokens - c0);
        const int k = tid < n ? I[c0 + tid] : -1;
        sid[tid] = k;
        th.sync();
        int before = 0, same = 0;
        if (k >= 0) {
            for (int j = 0; j < n; j++) {
                if (sid[j] == k) {
                    same++;
                    if (j < tid) before++;
                }
            }
            ord[cur[k] + before] = c0 + tid;
        }
        th.sync();
        if (k >= 0 && before == same - 1) cur[k] += same;  // the chunk's last row of k moves k's cursor
        th.sync();
    }
    if (shared) {
        for (int k = tid; k < clusters; k += 256) end[k] = cur[k];
    }
}

// Centroid update, step 2 of 2: grid (clusters, slices, ceil(dim / 128)), 128 threads, one
// dimension each. Sums the rows of cluster k (in row order, from step 1) in double and divides
// in double, as the reference; an empty cluster keeps its centroid. No atomics, no shared state.
QVG_BODY void qvg_cluster_means_body(const QvgThread& th, const float* points, const int* order, const int* offsets,
                                     const int* ends, int tokens, int dim, int clusters, const int* active,
                                     float* centroids) {
    const int k = th.bx(), slice = th.by();
    if (active[slice] == 0) return;
    const int d = th.bz() * 128 + th.tid();
    const long long at = (long long)slice * clusters + k;
    const int from = offsets[at], to = ends[at];
    if (from == to || d >= dim) return;
    const float* X = points + (long long)slice * tokens * dim + d;
    const int* O = order + (long long)slice * tokens;
    // Eight loads in flight, then their adds in row order: a cluster holding most of a slice's
    // rows (common on video tokens) is not paid one memory latency per row, and the sum is the same.
    double sum = 0.0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
        float v[8];
        QVG_UNROLL
        for (int j = 0; j < 8; j++) v[j] = X[(long long)O[i + j] * dim];
        QVG_UNROLL
        for (int j = 0; j < 8; j++) sum = QVG_DADD(sum, (double)v[j]);
    }
    for (; i < to; i++) sum = QVG_DADD(sum, (double)X[(long long)O[i] * dim]);
    centroids[at * dim + d] = QVG_D2F(QVG_DDIV(sum, (double)(to - from)));
}

// points[row] -= centroids[slice(row)][ids[row]] (sign = -1) or out[row] += ... (sign = +1),
// one thread per element.
QVG_BODY void qvg_apply_centroids_body(const QvgThread& th, float* rowsData, const int* ids, const float* centroids,
                                       long long rows, int tokens, int dim, int clusters, int sign) {
    long long q = (long long)th.bx() * th.bdim() + th.tid();
    if (q >= rows * dim) return;
    int t = (int)q;  // a Java array: fewer than 2^31 elements, so 32-bit index arithmetic is exact
    int row = t / dim;
    int d = t - row * dim;
    int slice = row / tokens;
    float c = centroids[((long long)slice * clusters + ids[row]) * dim + d];
    rowsData[t] = sign < 0 ? QVG_FSUB(rowsData[t], c) : QVG_FADD(rowsData[t], c);
}
