// Host emulation of the CUDA kernels for machines without a GPU. It runs the kernels' own bodies
// (src/main/cuda/qvg_*.cuh; only the one-line __global__ wrappers are left out) with the thread
// model of qvg_simt.cuh, all on one OS thread: the GPU threads of a block that cooperate
// (barriers, shuffles, shared memory) are fibers switched at each barrier; the threads of a
// kernel that never meet run one after another; blocks run one after another. So an emulation
// uses one core however many GPU threads it emulates (one OS thread per GPU thread drove the load
// of a 2-core machine above 150). Arithmetic is plain IEEE float (compiled with
// -ffp-contract=off), as the _rn intrinsics on the device. The Java tests (HostEmulationTest,
// EmulatedBackendTest through EmulatedDevice) send it inputs on stdin and compare its outputs
// with the Java reference.
//
// Protocol (little-endian), any number of requests until the end of the input; each is an int32
// op, then:
//   op 1 encode:   n, float[n]                      -> u16 bf16[n], u8 fp8[n]
//   op 2 launches: nBuffers, per buffer: int64 bytes, the bytes;
//                  nLaunches, per launch: int32 nameLength, name, int32 grid x, y, z, int32 block,
//                  int32 nArgs, per argument: int32 kind (0 pointer, 1 int32, 2 int64), int64 value
//                  (a pointer is ((buffer + 1) << 40) + byte offset); the launch named "__fill32"
//                  (pointer, int32 value, int64 words) is cuMemsetD32Async, in the order of the launches
// and each answer is an int64 byte count, then those bytes.
//                  -> every buffer's bytes after the launches, in order
#include "emulator_core.h"

static void readAll(void* p, size_t bytes) {
    if (bytes && std::fread(p, 1, bytes, stdin) != bytes) { std::fprintf(stderr, "short input\n"); std::exit(2); }
}
static int32_t readInt() { int32_t v; readAll(&v, 4); return v; }
static int64_t readLong() { int64_t v; readAll(&v, 8); return v; }
template <class T> static std::vector<T> readVec(size_t n) { std::vector<T> v(n); readAll(v.data(), n * sizeof(T)); return v; }
template <class T> static void writeVec(const std::vector<T>& v) { std::fwrite(v.data(), sizeof(T), v.size(), stdout); }

static std::vector<std::vector<unsigned char>> buffers;

// A pointer is ((buffer + 1) << 40) + byte offset.
void* qvg_emu_resolve(int64_t value) {
    int64_t id = (value >> 40) - 1, off = value & ((int64_t(1) << 40) - 1);
    if (id < 0 || id >= (int64_t)buffers.size() || off > (int64_t)buffers[id].size()) {
        std::fprintf(stderr, "pointer outside every buffer\n");
        std::exit(2);
    }
    return buffers[id].data() + off;
}

// One request: returns false at the end of the input (no more requests).
static bool serve(FiberBlock& fibers) {
    int32_t op;
    if (std::fread(&op, 1, 4, stdin) != 4) return false;
    std::vector<unsigned char> out;
    auto append = [&out](const void* p, size_t n) { out.insert(out.end(), (const unsigned char*)p, (const unsigned char*)p + n); };
    if (op == 1) {
        int n = readInt();
        auto x = readVec<float>(n);
        std::vector<uint16_t> bf(n);
        std::vector<uint8_t> f8(n);
        for (int i = 0; i < n; i++) { bf[i] = qvg_bf16_encode(x[i]); f8[i] = qvg_fp8_encode(x[i]); }
        append(bf.data(), 2 * (size_t)n);
        append(f8.data(), n);
    } else if (op == 2) {
        buffers.clear();
        int nb = readInt();
        for (int i = 0; i < nb; i++) buffers.push_back(readVec<unsigned char>((size_t)readLong()));
        int nl = readInt();
        for (int l = 0; l < nl; l++) {
            int len = readInt();
            std::string name(len, ' ');
            readAll(name.data(), len);
            int gx = readInt(), gy = readInt(), gz = readInt(), block = readInt();
            int na = readInt();
            std::vector<Arg> args(na);
            for (auto& a : args) { a.kind = readInt(); a.value = readLong(); }
            if (name == "__fill32") {
                int32_t* p = (int32_t*)ptr(args.at(0));
                for (int64_t i = 0; i < args.at(2).value; i++) p[i] = (int32_t)args.at(1).value;
                continue;
            }
            run_launch(fibers, name, gx, gy, gz, block, args);
        }
        for (auto& b : buffers) append(b.data(), b.size());
    } else {
        std::fprintf(stderr, "unknown op %d\n", op);
        std::exit(2);
    }
    int64_t n = (int64_t)out.size();
    std::fwrite(&n, 8, 1, stdout);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    return true;
}

// Serves requests until the end of the input: one process for a whole test run, so neither a
// process start nor fresh fiber stacks are paid per request.
int main() {
    FiberBlock fibers;
    while (serve(fibers)) {
    }
    return 0;
}
