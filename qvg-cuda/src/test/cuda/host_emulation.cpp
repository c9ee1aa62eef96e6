// Host emulation of the CUDA kernels for machines without a GPU. It runs the kernels' own bodies
// (src/main/cuda/qvg_*.cuh; only the one-line __global__ wrappers are left out) with the thread
// model of qvg_simt.cuh: each block's threads are OS threads of a pool, __syncthreads is a
// std::barrier, shuffles exchange through block memory, blocks run one after another. Arithmetic
// is plain IEEE float (compiled with -ffp-contract=off), as the _rn intrinsics on the device. The
// Java tests (HostEmulationTest, EmulatedKernelsTest) send it inputs on stdin and compare its
// outputs with the Java reference.
//
// Protocol (little-endian): int32 op, then:
//   op 1 encode:   n, float[n]                      -> u16 bf16[n], u8 fp8[n]
//   op 2 launches: nBuffers, per buffer: int64 bytes, the bytes;
//                  nLaunches, per launch: int32 nameLength, name, int32 grid x, y, z, int32 block,
//                  int32 nArgs, per argument: int32 kind (0 pointer, 1 int32, 2 int64), int64 value
//                  (a pointer is ((buffer + 1) << 40) + byte offset)
//                  -> every buffer's bytes after the launches, in order
#include "../../main/cuda/qvg_kmeans.cuh"
#include "../../main/cuda/qvg_quant.cuh"
#include "../../main/cuda/qvg_decode.cuh"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

static void readAll(void* p, size_t bytes) {
    if (bytes && std::fread(p, 1, bytes, stdin) != bytes) { std::fprintf(stderr, "short input\n"); std::exit(2); }
}
static int32_t readInt() { int32_t v; readAll(&v, 4); return v; }
static int64_t readLong() { int64_t v; readAll(&v, 8); return v; }
template <class T> static std::vector<T> readVec(size_t n) { std::vector<T> v(n); readAll(v.data(), n * sizeof(T)); return v; }
template <class T> static void writeVec(const std::vector<T>& v) { std::fwrite(v.data(), sizeof(T), v.size(), stdout); }

// A pool of threads that each run "thread t of the current block", then meet at a gate.
class BlockPool {
  public:
    static constexpr int kMaxThreads = 256;
    BlockPool() : gate_(kMaxThreads + 1) {
        for (int t = 0; t < kMaxThreads; t++) {
            workers_.emplace_back([this, t] {
                for (;;) {
                    gate_.arrive_and_wait();
                    if (stop_) return;
                    job_(t);
                    gate_.arrive_and_wait();
                }
            });
        }
    }
    ~BlockPool() {
        stop_ = true;
        gate_.arrive_and_wait();
        for (auto& w : workers_) w.join();
    }
    // Runs one block of `threads` threads of `body`; returns when all have returned.
    void runBlock(int bx, int by, int bz, int threads, const std::function<void(const QvgThread&)>& body) {
        if (threads < 1 || threads > kMaxThreads) { std::fprintf(stderr, "block of %d threads\n", threads); std::exit(2); }
        std::barrier<> bar(threads);
        QvgHostBlock blk{bx, by, bz, threads, &bar, {}, {}};
        job_ = [&](int t) {
            if (t >= threads) return;
            QvgThread th{t, &blk};
            body(th);
            bar.arrive_and_drop();  // an exited thread no longer takes part in __syncthreads
        };
        gate_.arrive_and_wait();
        gate_.arrive_and_wait();
    }
  private:
    std::barrier<> gate_;
    std::vector<std::thread> workers_;
    std::function<void(int)> job_;
    bool stop_ = false;
};

struct Arg { int kind; int64_t value; };

static std::vector<std::vector<unsigned char>> buffers;

static void* ptr(const Arg& a) {
    if (a.kind != 0) { std::fprintf(stderr, "argument is not a pointer\n"); std::exit(2); }
    int64_t id = (a.value >> 40) - 1, off = a.value & ((int64_t(1) << 40) - 1);
    if (id < 0 || id >= (int64_t)buffers.size() || off > (int64_t)buffers[id].size()) {
        std::fprintf(stderr, "pointer outside every buffer\n");
        std::exit(2);
    }
    return buffers[id].data() + off;
}
static int I(const Arg& a) { return (int)a.value; }
static long long L(const Arg& a) { return (long long)a.value; }
#define F(i) ((float*)ptr(a[i]))
#define N(i) ((int*)ptr(a[i]))
#define U16(i) ((unsigned short*)ptr(a[i]))
#define U8(i) ((unsigned char*)ptr(a[i]))

static std::function<void(const QvgThread&)> kernel(const std::string& name, const std::vector<Arg>& a) {
    if (name == "qvg_row_sqnorm")
        return [=](const QvgThread& th) { qvg_row_sqnorm_body(th, F(0), L(a[1]), I(a[2]), F(3)); };
    if (name == "qvg_assign")
        return [=](const QvgThread& th) {
            qvg_assign_body(th, F(0), F(1), F(2), F(3), I(a[4]), I(a[5]), I(a[6]), N(7), N(8), N(9));
        };
    if (name == "qvg_update_centroids")
        return [=](const QvgThread& th) { qvg_update_centroids_body(th, F(0), N(1), I(a[2]), I(a[3]), I(a[4]), N(5), F(6)); };
    if (name == "qvg_apply_centroids")
        return [=](const QvgThread& th) {
            qvg_apply_centroids_body(th, F(0), N(1), F(2), L(a[3]), I(a[4]), I(a[5]), I(a[6]), I(a[7]));
        };
    if (name == "qvg_block_stats")
        return [=](const QvgThread& th) {
            qvg_block_stats_body(th, F(0), L(a[1]), I(a[2]), I(a[3]), I(a[4]), I(a[5]), U16(6), U16(7), F(8), F(9));
        };
    if (name == "qvg_pack")
        return [=](const QvgThread& th) {
            qvg_pack_body(th, F(0), L(a[1]), I(a[2]), I(a[3]), I(a[4]), I(a[5]), I(a[6]), I(a[7]), F(8), F(9), U8(10));
        };
    if (name == "qvg_decode_f32" || name == "qvg_decode_bf16") {
        bool f32 = name == "qvg_decode_f32";
        return [=](const QvgThread& th) {
            const unsigned char* codes = U8(0);
            const unsigned short *scales = U16(1), *zeros = U16(2);
            long long numel = L(a[3]);
            int cols = I(a[4]), bytesPerRow = I(a[5]), blockSize = I(a[6]), bits = I(a[7]), symmetric = I(a[8]);
            int qmax = I(a[9]), fp8 = I(a[10]), dim = I(a[11]), tokens = I(a[12]), nStages = I(a[13]);
            const unsigned short* stageCentroids = U16(14);
            const int* stageIds = N(15);
            const long long* stageCentroidOffset = (const long long*)ptr(a[16]);
            const int* stageClusters = N(17);
            int vec = I(a[18]);
            if (f32) qvg_decode_f32_body(th, QVG_DECODE_ARGS, F(19));
            else qvg_decode_bf16_body(th, QVG_DECODE_ARGS, U16(19));
        };
    }
    std::fprintf(stderr, "unknown kernel %s\n", name.c_str());
    std::exit(2);
}

int main() {
    int op = readInt();
    if (op == 1) {
        int n = readInt();
        auto x = readVec<float>(n);
        std::vector<uint16_t> bf(n);
        std::vector<uint8_t> f8(n);
        for (int i = 0; i < n; i++) { bf[i] = qvg_bf16_encode(x[i]); f8[i] = qvg_fp8_encode(x[i]); }
        writeVec(bf); writeVec(f8);
    } else if (op == 2) {
        int nb = readInt();
        for (int i = 0; i < nb; i++) buffers.push_back(readVec<unsigned char>((size_t)readLong()));
        int nl = readInt();
        BlockPool pool;
        for (int l = 0; l < nl; l++) {
            int len = readInt();
            std::string name(len, ' ');
            readAll(name.data(), len);
            int gx = readInt(), gy = readInt(), gz = readInt(), block = readInt();
            int na = readInt();
            std::vector<Arg> args(na);
            for (auto& a : args) { a.kind = readInt(); a.value = readLong(); }
            auto body = kernel(name, args);
            // Kernels whose threads never meet (no barrier, no shuffle) run their threads one
            // after another on this thread: the same results, without the cost of 256 OS threads.
            bool cooperative = name == "qvg_assign" || name == "qvg_update_centroids" || name == "qvg_block_stats";
            for (int z = 0; z < gz; z++)
                for (int y = 0; y < gy; y++)
                    for (int x = 0; x < gx; x++) {
                        if (cooperative) {
                            pool.runBlock(x, y, z, block, body);
                        } else {
                            QvgHostBlock blk{x, y, z, block, nullptr, {}, {}};
                            for (int t = 0; t < block; t++) body(QvgThread{t, &blk});
                        }
                    }
        }
        for (auto& b : buffers) writeVec(b);
    } else {
        std::fprintf(stderr, "unknown op %d\n", op);
        return 2;
    }
    return 0;
}
