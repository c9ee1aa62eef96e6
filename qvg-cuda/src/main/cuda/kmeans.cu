// K-means kernels: thin wrappers over the bodies in qvg_kmeans.cuh (which the host emulation in
// the tests runs too).
#include "qvg_kmeans.cuh"

extern "C" __global__ void __launch_bounds__(256)
qvg_row_sqnorm(const float* x, long long rows, int dim, float* out) {
    qvg_row_sqnorm_body(QvgThread(), x, rows, dim, out);
}

extern "C" __global__ void __launch_bounds__(256)
qvg_assign(const float* points, const float* centroids, const float* pointNorms, const float* centNorms,
           int tokens, int dim, int clusters, const int* active, int* ids, int* changed) {
    qvg_assign_body(QvgThread(), points, centroids, pointNorms, centNorms, tokens, dim, clusters, active, ids, changed);
}

extern "C" __global__ void __launch_bounds__(256)
qvg_cluster_sort(const int* ids, int tokens, int clusters, const int* active, int* offsets, int* ends, int* order) {
    qvg_cluster_sort_body(QvgThread(), ids, tokens, clusters, active, offsets, ends, order);
}

extern "C" __global__ void __launch_bounds__(128)
qvg_cluster_means(const float* points, const int* order, const int* offsets, const int* ends, int tokens, int dim,
                  int clusters, const int* active, float* centroids) {
    qvg_cluster_means_body(QvgThread(), points, order, offsets, ends, tokens, dim, clusters, active, centroids);
}

extern "C" __global__ void __launch_bounds__(256)
qvg_apply_centroids(float* rowsData, const int* ids, const float* centroids, long long rows, int tokens, int dim,
                    int clusters, int sign) {
    qvg_apply_centroids_body(QvgThread(), rowsData, ids, centroids, rows, tokens, dim, clusters, sign);
}
