// A stand-in for the CUDA driver library (libcuda.so.1) that runs qvg's kernels on the host, so
// the JCuda path (CudaDevice, DeviceBuffer, PinnedStaging, JCuda's own binding and argument
// packing) runs end to end on a machine without a GPU: FakeDriverTest loads it into a child JVM
// through LD_LIBRARY_PATH. It implements the driver calls the backend makes (JCuda's binding binds
// the others lazily and never calls them) with the emulator core of the unit tests: device memory
// is host memory, work runs at once in call order (a stronger order than streams give), kernels
// are the kernels' own bodies found by name in the PTX passed to cuModuleLoadData, with their
// parameter widths read from it. Every copy, fill and kernel pointer is checked against the
// allocations made: a copy past an allocation fails with CUDA_ERROR_INVALID_VALUE, a kernel
// pointer outside every allocation aborts the process (on a GPU it would corrupt memory).
// Not a driver: one device, one context, no JIT; what only a GPU shows stays unproved.
#include "emulator_core.h"
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef int CUdevice;

static const CUresult OK = 0, INVALID_VALUE = 1, INVALID_DEVICE = 101, NOT_FOUND = 500;
static std::mutex lock;
static std::map<uintptr_t, size_t> device;  // device allocations: base -> bytes
static std::map<uintptr_t, size_t> pinned;  // page-locked host allocations
static FiberBlock fibers;

static bool within(const std::map<uintptr_t, size_t>& m, uintptr_t p, size_t n) {
    auto it = m.upper_bound(p);
    if (it == m.begin()) return false;
    --it;
    return p >= it->first && p + n <= it->first + it->second;
}

static CUresult refuse(const char* call, uintptr_t p, size_t n) {
    std::fprintf(stderr, "fake libcuda: %s of %zu bytes at %#lx outside every device allocation\n", call, n,
                 (unsigned long)p);
    return INVALID_VALUE;
}

void* qvg_emu_resolve(int64_t value) {
    if (!within(device, (uintptr_t)value, 0)) {
        std::fprintf(stderr, "fake libcuda: kernel pointer argument %#lx outside every device allocation\n",
                     (unsigned long)value);
        std::abort();
    }
    return (void*)value;
}

struct Function {
    std::string name;
    std::vector<int> paramBytes;
};

struct Module {
    std::map<std::string, Function> functions;
};

// The entries of a PTX module and their parameter widths (".param .u64 name" -> 8).
static Module* parse(const char* ptx) {
    Module* m = new Module();
    std::string s(ptx);
    for (size_t at = s.find(".entry "); at != std::string::npos; at = s.find(".entry ", at + 1)) {
        size_t open = s.find('(', at), close = s.find(')', open);
        Function f;
        f.name = s.substr(at + 7, open - at - 7);
        for (size_t p = s.find(".param .", open); p != std::string::npos && p < close; p = s.find(".param .", p + 1)) {
            f.paramBytes.push_back(std::atoi(s.c_str() + p + 9) / 8);  // the digits after the type letter
        }
        m->functions[f.name] = f;
    }
    return m;
}

struct Event {
    std::chrono::steady_clock::time_point t;
};

extern "C" {

CUresult cuInit(unsigned int) { return OK; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return OK; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return OK; }
CUresult cuDeviceGet(CUdevice* d, int ordinal) {
    if (ordinal != 0) return INVALID_DEVICE;
    *d = 0;
    return OK;
}
CUresult cuDeviceGetName(char* name, int len, CUdevice) {
    std::snprintf(name, len, "qvg fake CUDA driver (host emulation)");
    return OK;
}
CUresult cuDeviceGetAttribute(int* v, int attribute, CUdevice) {
    switch (attribute) {
        case 75: *v = 9; break;        // compute capability major
        case 76: *v = 0; break;        // minor
        case 16: *v = 2; break;        // multiprocessors
        case 13: *v = 1000000; break;  // clock, kHz
        case 36: *v = 1000000; break;  // memory clock, kHz
        case 37: *v = 64; break;       // memory bus, bits
        default: *v = 0;
    }
    return OK;
}
CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice) { *bytes = size_t(1) << 32; return OK; }
CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice) { static int context; *ctx = &context; return OK; }
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice) { return OK; }
CUresult cuCtxSetCurrent(void*) { return OK; }

CUresult cuModuleLoadData(void** module, const void* image) {
    std::lock_guard<std::mutex> g(lock);
    *module = parse((const char*)image);
    return OK;
}
CUresult cuModuleGetFunction(void** f, void* module, const char* name) {
    auto& fs = ((Module*)module)->functions;
    auto it = fs.find(name);
    if (it == fs.end()) return NOT_FOUND;
    *f = &it->second;
    return OK;
}
CUresult cuModuleUnload(void* module) { delete (Module*)module; return OK; }

CUresult cuStreamCreate(void** s, unsigned int) { *s = new int(0); return OK; }
CUresult cuStreamDestroy_v2(void* s) { delete (int*)s; return OK; }
CUresult cuStreamSynchronize(void*) { return OK; }
CUresult cuEventCreate(void** e, unsigned int) { *e = new Event(); return OK; }
CUresult cuEventDestroy_v2(void* e) { delete (Event*)e; return OK; }
CUresult cuEventRecord(void* e, void*) { ((Event*)e)->t = std::chrono::steady_clock::now(); return OK; }
CUresult cuEventSynchronize(void*) { return OK; }
CUresult cuEventElapsedTime(float* ms, void* start, void* end) {
    *ms = std::chrono::duration<float, std::milli>(((Event*)end)->t - ((Event*)start)->t).count();
    return OK;
}

CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t n) {
    std::lock_guard<std::mutex> g(lock);
    unsigned char* m = (unsigned char*)std::malloc(n ? n : 1);
    if (!m) return 2;  // CUDA_ERROR_OUT_OF_MEMORY
    std::memset(m, 0x5A, n);  // poison: memory nobody wrote does not read as zeros
    device[(uintptr_t)m] = n;
    *p = (CUdeviceptr)m;
    return OK;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
    std::lock_guard<std::mutex> g(lock);
    if (!device.erase((uintptr_t)p)) return INVALID_VALUE;
    std::free((void*)p);
    return OK;
}
CUresult cuMemAllocHost_v2(void** p, size_t n) {
    std::lock_guard<std::mutex> g(lock);
    *p = std::malloc(n ? n : 1);
    pinned[(uintptr_t)*p] = n;
    return OK;
}
CUresult cuMemFreeHost(void* p) {
    std::lock_guard<std::mutex> g(lock);
    if (!pinned.erase((uintptr_t)p)) return INVALID_VALUE;
    std::free(p);
    return OK;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
    std::lock_guard<std::mutex> g(lock);
    if (!within(device, dst, n)) return refuse("cuMemcpyHtoD", dst, n);
    std::memcpy((void*)dst, src, n);
    return OK;
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void*) {
    std::lock_guard<std::mutex> g(lock);
    if (!within(device, dst, n)) return refuse("cuMemcpyHtoDAsync", dst, n);
    if (!within(pinned, (uintptr_t)src, n)) {
        std::fprintf(stderr, "fake libcuda: cuMemcpyHtoDAsync from memory that is not page-locked\n");
        return INVALID_VALUE;
    }
    std::memcpy((void*)dst, src, n);
    return OK;
}
CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
    std::lock_guard<std::mutex> g(lock);
    if (!within(device, src, n)) return refuse("cuMemcpyDtoH", src, n);
    std::memcpy(dst, (void*)src, n);
    return OK;
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void*) {
    std::lock_guard<std::mutex> g(lock);
    if (!within(device, src, n)) return refuse("cuMemcpyDtoDAsync (source)", src, n);
    if (!within(device, dst, n)) return refuse("cuMemcpyDtoDAsync", dst, n);
    std::memmove((void*)dst, (void*)src, n);
    return OK;
}
static CUresult fill(CUdeviceptr dst, unsigned int v, size_t words) {
    if (!within(device, dst, 4 * words)) return refuse("cuMemsetD32", dst, 4 * words);
    for (size_t i = 0; i < words; i++) std::memcpy((char*)dst + 4 * i, &v, 4);
    return OK;
}
CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int v, size_t words) {
    std::lock_guard<std::mutex> g(lock);
    return fill(dst, v, words);
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int v, size_t words, void*) {
    std::lock_guard<std::mutex> g(lock);
    return fill(dst, v, words);
}

CUresult cuLaunchKernel(void* f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
                        unsigned int bz, unsigned int, void*, void** params, void** extra) {
    std::lock_guard<std::mutex> g(lock);
    const Function& fn = *(const Function*)f;
    if (extra != nullptr || by != 1 || bz != 1) return INVALID_VALUE;
    std::vector<Arg> args;
    for (size_t i = 0; i < fn.paramBytes.size(); i++) {
        if (fn.paramBytes[i] == 8) args.push_back(Arg{0, *(const int64_t*)params[i]});
        else if (fn.paramBytes[i] == 4) args.push_back(Arg{1, *(const int32_t*)params[i]});
        else return INVALID_VALUE;
    }
    run_launch(fibers, fn.name, (int)gx, (int)gy, (int)gz, (int)bx, args);
    return OK;
}

}  // extern "C"
