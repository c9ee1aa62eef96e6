// The core of the host emulation, shared by the request server (host_emulation.cpp) and the
// stand-in CUDA driver (fake_libcuda.cpp): the kernels' own bodies (src/main/cuda/qvg_*.cuh), the
// GPU threads of a block as fibers on one OS thread, and the table from kernel names to bodies.
#pragma once
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

// Each program says what a pointer argument's value means (an address in its own memory),
// refusing one that points outside everything it handed out.
void* qvg_emu_resolve(int64_t value);

static void* ptr(const Arg& a) {
    if (a.kind != 0) { std::fprintf(stderr, "argument is not a pointer\n"); std::exit(2); }
    return qvg_emu_resolve(a.value);
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


// Kernels whose threads never meet (no barrier, no shuffle) run their threads one after another,
// without fibers.
static bool cooperative(const std::string& name) {
    return name == "qvg_assign" || name == "qvg_cluster_sort" || name == "qvg_block_stats";
}

// One launch: every block of the grid in turn.
static void run_launch(FiberBlock& fibers, const std::string& name, int gx, int gy, int gz, int block,
                       const std::vector<Arg>& args) {
    auto body = kernel(name, args);
    bool coop = cooperative(name);
    for (int z = 0; z < gz; z++)
        for (int y = 0; y < gy; y++)
            for (int x = 0; x < gx; x++) {
                if (coop) {
                    fibers.run(x, y, z, block, body);
                } else {
                    QvgHostBlock blk{x, y, z, block, nullptr, nullptr, {}, {}};
                    for (int t = 0; t < block; t++) body(QvgThread{t, &blk});
                }
            }
}
