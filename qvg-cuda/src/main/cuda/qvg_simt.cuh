// The thread model the kernel bodies are written against, so the same bodies run on the GPU and,
// in the unit tests, on the host: QvgThread gives the thread and block indices, the block barrier
// and warp shuffles; QVG_SHARED declares block-shared memory. On the device these are threadIdx,
// blockIdx, __syncthreads, __shfl_xor_sync and __shared__, inlined away. On the host
// (host_emulation.cpp) every GPU thread of a block is a fiber and all of them run on one OS
// thread: the barrier switches to the emulator's scheduler, which resumes the fibers once every
// live one has arrived (threads that return leave it, as exited threads leave __syncthreads); a
// shuffle is an exchange through block memory across a barrier; blocks run one at a time, so a
// function-level static array behaves as __shared__ memory and atomics need no locking.
#pragma once
#include "qvg_math.cuh"

#if defined(__CUDACC__)
#define QVG_BODY __device__ __forceinline__
#define QVG_SHARED __shared__
#define QVG_UNROLL _Pragma("unroll")

__device__ __forceinline__ void qvg_atomic_add(int* p, int v) { atomicAdd(p, v); }
__device__ __forceinline__ void qvg_atomic_min(int* p, int v) { atomicMin(p, v); }

struct QvgThread {
    __device__ __forceinline__ int tid() const { return (int)threadIdx.x; }
    __device__ __forceinline__ int bdim() const { return (int)blockDim.x; }
    __device__ __forceinline__ int bx() const { return (int)blockIdx.x; }
    __device__ __forceinline__ int by() const { return (int)blockIdx.y; }
    __device__ __forceinline__ int bz() const { return (int)blockIdx.z; }
    __device__ __forceinline__ void sync() const { __syncthreads(); }
    __device__ __forceinline__ float shflXor(float v, int lane) const { return __shfl_xor_sync(0xFFFFFFFFu, v, lane); }
    __device__ __forceinline__ int shflXor(int v, int lane) const { return __shfl_xor_sync(0xFFFFFFFFu, v, lane); }
};
#else
#define QVG_BODY inline
#define QVG_SHARED static
#define QVG_UNROLL

inline int min(int a, int b) { return a < b ? a : b; }
inline void qvg_atomic_add(int* p, int v) { *p += v; }  // one OS thread runs every GPU thread
inline void qvg_atomic_min(int* p, int v) { if (v < *p) *p = v; }

struct QvgHostBlock {
    int bx, by, bz, bdim;
    void (*barrier)(void* sched);  // __syncthreads: hands control to the emulator's scheduler
    void* sched;
    float exchF[2][1024];
    int exchI[2][1024];
};

// A shuffle is one barrier: each thread writes its value into the exchange slot of this shuffle's
// parity and reads its partner's after the barrier. The next shuffle uses the other parity, and
// the one after can only be written once everybody has passed the barrier between, that is,
// finished reading; so values are never overwritten while still needed.
struct QvgThread {
    int t;
    QvgHostBlock* b;
    mutable int parity = 0;
    int tid() const { return t; }
    int bdim() const { return b->bdim; }
    int bx() const { return b->bx; }
    int by() const { return b->by; }
    int bz() const { return b->bz; }
    void sync() const { b->barrier(b->sched); }
    float shflXor(float v, int lane) const {
        int p = parity;
        parity ^= 1;
        b->exchF[p][t] = v;
        sync();
        return b->exchF[p][t ^ lane];
    }
    int shflXor(int v, int lane) const {
        int p = parity;
        parity ^= 1;
        b->exchI[p][t] = v;
        sync();
        return b->exchI[p][t ^ lane];
    }
};
#endif
