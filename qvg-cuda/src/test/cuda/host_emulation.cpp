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
#include "../../main/cuda/qvg_kmeans.cuh"
#include "../../main/cuda/qvg_quant.cuh"
#include "../../main/cuda/qvg_decode.cuh"
#include "../../main/cuda/qvg_span.cuh"
#include <ucontext.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

static void readAll(void* p, size_t bytes) {
    if (bytes && std::fread(p, 1, bytes, stdin) != bytes) { std::fprintf(stderr, "short input\n"); std::exit(2); }
}
static int32_t readInt() { int32_t v; readAll(&v, 4); return v; }
static int64_t readLong() { int64_t v; readAll(&v, 8); return v; }
template <class T> static std::vector<T> readVec(size_t n) { std::vector<T> v(n); readAll(v.data(), n * sizeof(T)); return v; }
template <class T> static void writeVec(const std::vector<T>& v) { std::fwrite(v.data(), sizeof(T), v.size(), stdout); }

// Switching between fibers. On x86-64, a hand-written switch that saves only the callee-saved
// registers (about 5 ns); elsewhere ucontext's swapcontext, which also saves the signal mask with
// a system call per switch (about 200 ns): correct, just slower.
#if defined(__x86_64__)
extern "C" void qvg_fiber_switch(void** saveSp, void* loadSp);
asm(R"(
    .text
    .globl qvg_fiber_switch
    .type qvg_fiber_switch, @function
qvg_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size qvg_fiber_switch, .-qvg_fiber_switch
    .section .note.GNU-stack,"",@progbits
    .text
)");

struct FiberContext {
    void* sp = nullptr;
    // A stack whose first switch "returns" into entry(), as if entry had just been called.
    void start(char* stack, size_t bytes, void (*entry)()) {
        uintptr_t top = ((uintptr_t)(stack + bytes)) & ~(uintptr_t)15;
        void** p = (void**)top;
        *--p = nullptr;          // entry's own return address: entry never returns
        *--p = (void*)entry;     // popped by the switch's ret
        for (int i = 0; i < 6; i++) *--p = nullptr;  // rbp, rbx, r12..r15
        sp = p;
    }
    static void swap(FiberContext& from, FiberContext& to) { qvg_fiber_switch(&from.sp, to.sp); }
};
#else
struct FiberContext {
    ucontext_t ctx{};
    void start(char* stack, size_t bytes, void (*entry)()) {
        getcontext(&ctx);
        ctx.uc_stack.ss_sp = stack;
        ctx.uc_stack.ss_size = bytes;
        ctx.uc_link = nullptr;  // entry never returns
        makecontext(&ctx, entry, 0);
    }
    static void swap(FiberContext& from, FiberContext& to) { swapcontext(&from.ctx, &to.ctx); }
};
#endif

// One block's GPU threads as fibers on the calling OS thread. Each round resumes every runnable
// fiber until it reaches the barrier or returns; when none is runnable, every live fiber waits at
// the barrier, so all are released together: __syncthreads, with returned threads left out.
class FiberBlock {
  public:
    static constexpr int kMaxThreads = 1024;  // QvgHostBlock's exchange slots
    static constexpr size_t kStackBytes = 128 * 1024;

    // Runs one block of `threads` threads of `body`; returns when all have returned.
    void run(int bx, int by, int bz, int threads, const std::function<void(const QvgThread&)>& body) {
        if (threads < 1 || threads > kMaxThreads) { std::fprintf(stderr, "block of %d threads\n", threads); std::exit(2); }
        blk_.bx = bx; blk_.by = by; blk_.bz = bz; blk_.bdim = threads;
        blk_.barrier = &FiberBlock::arrive;
        blk_.sched = this;
        body_ = &body;
        // Stacks are not zeroed: a fiber touches a few KiB of its stack, untouched pages cost nothing.
        while ((int)fibers_.size() < threads) fibers_.push_back(Fiber{{}, std::unique_ptr<char[]>(new char[kStackBytes]), kDone});
        for (int t = 0; t < threads; t++) {
            fibers_[t].ctx.start(fibers_[t].stack.get(), kStackBytes, &FiberBlock::entry);
            fibers_[t].state = kRunnable;
        }
        int live = threads;
        while (live > 0) {
            for (int t = 0; t < threads; t++) {
                if (fibers_[t].state != kRunnable) continue;
                current_ = t;
                running_ = this;
                FiberContext::swap(main_, fibers_[t].ctx);
                if (fibers_[t].state == kDone) live--;
            }
            for (int t = 0; t < threads; t++)
                if (fibers_[t].state == kWaiting) fibers_[t].state = kRunnable;
        }
    }

  private:
    enum State { kRunnable, kWaiting, kDone };
    struct Fiber {
        FiberContext ctx;
        std::unique_ptr<char[]> stack;
        State state;
    };

    static void arrive(void* self) {
        FiberBlock* s = static_cast<FiberBlock*>(self);
        Fiber& f = s->fibers_[s->current_];
        f.state = kWaiting;
        FiberContext::swap(f.ctx, s->main_);
    }

    // A fiber's whole life: the thread's body, then back to the scheduler for good (its stack is
    // reset before it runs again).
    static void entry() {
        FiberBlock* s = running_;
        int t = s->current_;
        {
            QvgThread th{t, &s->blk_};
            (*s->body_)(th);
        }
        s->fibers_[t].state = kDone;
        FiberContext::swap(s->fibers_[t].ctx, s->main_);
        std::abort();  // never resumed
    }

    static inline FiberBlock* running_ = nullptr;
    std::vector<Fiber> fibers_;
    FiberContext main_;
    int current_ = 0;
    const std::function<void(const QvgThread&)>* body_ = nullptr;
    QvgHostBlock blk_{};
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
    if (name == "qvg_cluster_sort")
        return [=](const QvgThread& th) { qvg_cluster_sort_body(th, N(0), I(a[1]), I(a[2]), N(3), N(4), N(5), N(6)); };
    if (name == "qvg_cluster_means")
        return [=](const QvgThread& th) {
            qvg_cluster_means_body(th, F(0), N(1), N(2), N(3), I(a[4]), I(a[5]), I(a[6]), N(7), F(8));
        };
    if (name == "qvg_round_bf16")
        return [=](const QvgThread& th) { qvg_round_bf16_body(th, F(0), L(a[1]), U16(2)); };
    if (name == "qvg_subtract_bf16")
        return [=](const QvgThread& th) {
            qvg_subtract_bf16_body(th, F(0), N(1), U16(2), L(a[3]), I(a[4]), I(a[5]), I(a[6]), N(7));
        };
    if (name == "qvg_gather_rows")
        return [=](const QvgThread& th) { qvg_gather_rows_body(th, F(0), N(1), L(a[2]), I(a[3]), I(a[4]), I(a[5]), F(6)); };
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
            auto body = kernel(name, args);
            // Kernels whose threads never meet (no barrier, no shuffle) run their threads one
            // after another, without fibers.
            bool cooperative = name == "qvg_assign" || name == "qvg_cluster_sort" || name == "qvg_block_stats";
            for (int z = 0; z < gz; z++)
                for (int y = 0; y < gy; y++)
                    for (int x = 0; x < gx; x++) {
                        if (cooperative) {
                            fibers.run(x, y, z, block, body);
                        } else {
                            QvgHostBlock blk{x, y, z, block, nullptr, nullptr, {}, {}};
                            for (int t = 0; t < block; t++) body(QvgThread{t, &blk});
                        }
                    }
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
