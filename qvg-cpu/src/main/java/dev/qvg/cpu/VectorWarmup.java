package dev.qvg.cpu;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.PackedBlocks;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides when the backend switches from the scalar block kernels to the SIMD ones, and compiles
 * the SIMD ones in the background first.
 *
 * <p>Why: until C2 has compiled a Vector API kernel, every vector is a heap object, and the
 * first calls are far slower than the scalar kernels (measured on 2 cores: the first
 * quantize+dequantize of a [4096, 128] slice took 430 ms with SIMD against 36 ms scalar, and a
 * [65536, 128] one 950 ms against 66 ms); compiling them costs about 3 s of CPU in all (the
 * {@code qvg eval} job took 8.0 s instead of 6.4 s with them on from the start). So:
 * <ol>
 *   <li>Until {@link Simd#warmupAfter()} values have gone through the block kernels in this JVM,
 *       the scalar kernels run and nothing of the Vector API is loaded: short jobs pay nothing.</li>
 *   <li>Then a daemon thread runs every SIMD kernel shape (symmetric and asymmetric, BF16 and FP8
 *       scales, decode with a stage) on a small slice until the JIT has compiled them, about a
 *       second of one core, while calls keep using the scalar kernels.</li>
 *   <li>From then on {@link #ready} is true and the SIMD kernels run. Both give the same bits.</li>
 * </ol>
 */
final class VectorWarmup {

    /** Kernel rounds on a small slice; enough for C2 to compile every kernel at the default thresholds. */
    static final int ROUNDS = 3000;
    private static final int ROWS = 64, COLS = 128;

    private static volatile boolean ready;
    /** Set when SIMD turned out to be off once the threshold was passed, or the warm-up failed: scalar for good. */
    private static volatile boolean never;
    private static final AtomicLong SEEN = new AtomicLong();
    private static boolean started;

    private VectorWarmup() {
    }

    /**
     * True once the SIMD kernels may run and are compiled. Counts {@code values} towards
     * {@link Simd#warmupAfter()}; the call that passes it starts the warm-up (once per JVM).
     */
    static boolean ready(long values) {
        if (ready) {
            return true;
        }
        if (never || SEEN.addAndGet(values) < Simd.warmupAfter()) {
            return false;
        }
        if (!Simd.enabled()) {
            never = true;
            return false;
        }
        startOnce();
        return false;
    }

    /**
     * Starts the warm-up whatever the count and waits for it (tests that want the SIMD path at
     * once). Returns at once, false, where SIMD is off.
     */
    static boolean awaitReady() throws InterruptedException {
        if (!Simd.enabled()) {
            return false;
        }
        startOnce();
        synchronized (VectorWarmup.class) {
            while (!ready && !never) {
                VectorWarmup.class.wait();
            }
        }
        return ready;
    }

    private static synchronized void startOnce() {
        if (started) {
            return;
        }
        started = true;
        Thread t = new Thread(VectorWarmup::run, "qvg-cpu-simd-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run() {
        boolean ok = false;
        try {
            warm(ROUNDS);
            ok = true;
        } catch (RuntimeException | LinkageError e) {
            // A SIMD kernel that fails here would fail the user's calls: keep the scalar kernels.
            System.err.println("qvg-cpu: SIMD block kernels disabled, their warm-up failed: " + e);
        } finally {
            synchronized (VectorWarmup.class) {
                if (ok) {
                    ready = true;
                } else {
                    never = true;
                }
                VectorWarmup.class.notifyAll();
            }
        }
    }

    /** Runs each SIMD kernel shape {@code rounds} times on a small seeded slice. */
    static void warm(int rounds) {
        SplittableRandom random = new SplittableRandom(1L);
        float[] x = new float[ROWS * COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] out = new float[x.length];
        float[][] centroids = {new float[4 * COLS]};
        int[][] ids = {new int[ROWS]};
        for (int r = 0; r < ROWS; r++) {
            ids[0][r] = r % 4;
        }
        BlockQuantConfig[] configs = {
            new BlockQuantConfig(2, 64, true, ScalePrecision.BF16),
            new BlockQuantConfig(2, 64, false, ScalePrecision.BF16),
            new BlockQuantConfig(2, 64, true, ScalePrecision.FP8_E4M3),
            new BlockQuantConfig(2, 64, false, ScalePrecision.FP8_E4M3),
            new BlockQuantConfig(4, 64, true, ScalePrecision.BF16),
            new BlockQuantConfig(4, 64, false, ScalePrecision.BF16),
        };
        PackedBlocks[] packed = new PackedBlocks[configs.length];
        for (int i = 0; i < configs.length; i++) {
            packed[i] = PackedBlocks.allocate(ROWS, COLS, configs[i]);
            BlockKernels.quantizeRows(x, packed[i], 0, ROWS);
        }
        for (int round = 0; round < rounds; round++) {
            PackedBlocks p = packed[round % packed.length];
            if (VectorBlockKernels.quantizes(p.config())) {
                VectorKernelCalls.quantizeRows(x, p, 0, ROWS);
            }
            if (VectorBlockKernels.dequantizes(p.config())) {
                VectorKernelCalls.dequantizeRows(p, out, 0, ROWS);
                VectorKernelCalls.decodeRows(p, out, 0, ROWS, ROWS, ids, centroids, new int[] {4}, 0, ROWS * COLS);
            }
        }
    }
}
