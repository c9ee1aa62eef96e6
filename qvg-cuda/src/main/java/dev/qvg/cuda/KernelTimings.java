package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Device-side timings of the kernels (CUDA events around work on data already on the GPU, so
 * host transfers are excluded), printed as a Markdown table for {@code scripts/run-on-device.sh}:
 * decode bandwidth against a device-to-device copy and the memory's theoretical peak, the k-means
 * assignment at S=32768, D=128, K=256, and one full one-stage INT2 quantization of a layer span.
 *
 * <p>{@code java dev.qvg.cuda.KernelTimings [--quick] [--heads H] [--tokens S] [--iters N]}
 */
public final class KernelTimings {

    private final CudaDevice dev;
    private final DeviceKernels k;
    private final int reps;

    private KernelTimings(CudaDevice dev, int reps) {
        this.dev = dev;
        this.k = new DeviceKernels(dev);
        this.reps = reps;
    }

    public static void main(String[] args) {
        boolean quick = false;
        int heads = 32, tokens = 8192, iters = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": quick = true; break;
                case "--heads": heads = Integer.parseInt(args[++i]); break;
                case "--tokens": tokens = Integer.parseInt(args[++i]); break;
                case "--iters": iters = Integer.parseInt(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        var a = new CudaBackendProvider().availability();
        if (!a.available()) {
            System.err.println("KernelTimings: cuda unavailable: " + a.reason());
            System.exit(3);
        }
        try (CudaDevice dev = CudaDevice.open(Integer.getInteger("qvg.cuda.device", 0))) {
            dev.makeCurrent();
            KernelTimings t = new KernelTimings(dev, quick ? 3 : 20);
            System.out.println("| measurement | shape | median time | throughput |");
            System.out.println("|---|---|---|---|");
            double copyGbs = t.copyBandwidth(quick ? 64L << 20 : 1L << 30);
            double peakGbs = t.theoreticalBandwidth();
            t.decode(quick ? 1 << 14 : 1 << 20, 128, copyGbs, peakGbs);
            t.assign(quick ? 4096 : 32768, 128, 256);
            t.layerSpan(quick ? 4 : heads, quick ? 1024 : tokens, 128, 256, quick ? 2 : iters);
        }
    }

    private interface Work {
        void enqueue();
    }

    /** Median milliseconds of {@code reps} timed runs after one warm-up run. */
    private double time(Work w) {
        CUevent start = new CUevent(), end = new CUevent();
        Cu.check(cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        Cu.check(cuEventCreate(end, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        try {
            w.enqueue();
            dev.synchronize(0);
            float[] ms = new float[reps];
            float[] one = new float[1];
            for (int i = 0; i < reps; i++) {
                Cu.check(cuEventRecord(start, dev.stream(0)), "cuEventRecord");
                w.enqueue();
                Cu.check(cuEventRecord(end, dev.stream(0)), "cuEventRecord");
                Cu.check(cuEventSynchronize(end), "cuEventSynchronize");
                Cu.check(cuEventElapsedTime(one, start, end), "cuEventElapsedTime");
                ms[i] = one[0];
            }
            Arrays.sort(ms);
            return ms[reps / 2];
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(end);
        }
    }

    private static void row(String what, String shape, double ms, String throughput) {
        System.out.println(String.format(Locale.ROOT, "| %s | %s | %.3f ms | %s |", what, shape, ms, throughput));
    }

    private double copyBandwidth(long bytes) {
        try (DeviceBuffer a = DeviceBuffer.zeroed(bytes); DeviceBuffer b = DeviceBuffer.allocate(bytes)) {
            double ms = time(() -> Cu.check(cuMemcpyDtoDAsync(b.ptr(), a.ptr(), bytes, dev.stream(0)), "cuMemcpyDtoDAsync"));
            double gbs = 2.0 * bytes / (ms * 1e6);
            row("device-to-device copy (read + write)", (bytes >> 20) + " MiB", ms, String.format(Locale.ROOT, "%.0f GB/s", gbs));
            return gbs;
        }
    }

    /** 2 x memory clock x bus width, where the driver reports them (0 otherwise). */
    private double theoreticalBandwidth() {
        CUdevice d = new CUdevice();
        Cu.check(cuDeviceGet(d, dev.ordinal()), "cuDeviceGet");
        int[] clockKhz = new int[1], busBits = new int[1];
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, d);
        int r1 = cuDeviceGetAttribute(clockKhz, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, d);
        int r2 = cuDeviceGetAttribute(busBits, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, d);
        double gbs = r1 == 0 && r2 == 0 ? 2.0 * clockKhz[0] * 1e3 * busBits[0] / 8 / 1e9 : 0;
        System.out.println(String.format(Locale.ROOT, "| theoretical memory bandwidth | %s | - | %s |",
                CudaProbe.cString(name), gbs > 0 ? String.format(Locale.ROOT, "%.0f GB/s", gbs) : "not reported"));
        return gbs;
    }

    private static float[] gaussian(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private void decode(int rows, int dim, double copyGbs, double peakGbs) {
        BlockQuantConfig cfg = BlockQuantConfig.publishedInt2();
        PackedBlocks blocks = BlockCodec.quantize(gaussian(1, rows * dim), 0, rows, dim, cfg);
        int clusters = 256;
        int[] ids = new SplittableRandom(2).ints(rows, 0, clusters).toArray();
        short[] cent = new short[clusters * dim];
        long numel = (long) rows * dim;
        try (DeviceBuffer codes = DeviceBuffer.of(blocks.codes());
             DeviceBuffer scales = DeviceBuffer.of(blocks.scales());
             DeviceBuffer zeros = DeviceBuffer.allocate(0);
             DeviceBuffer c = DeviceBuffer.of(cent);
             DeviceBuffer id = DeviceBuffer.of(ids);
             DeviceBuffer offs = DeviceBuffer.of(new long[] {0});
             DeviceBuffer ks = DeviceBuffer.of(new int[] {clusters});
             DeviceBuffer out = DeviceBuffer.allocate(numel * 4)) {
            for (String kernel : new String[] {Ptx.DECODE_F32, Ptx.DECODE_BF16}) {
                int outBytes = kernel.equals(Ptx.DECODE_F32) ? 4 : 2;
                double ms = time(() -> k.decode(kernel, cfg, rows, dim, codes, scales, zeros, dim, rows, 1, c, id, offs, ks,
                        out, 0));
                long bytes = blocks.codes().length + 2L * blocks.scales().length + 4L * rows + numel * outBytes;
                double gbs = bytes / (ms * 1e6);
                row(kernel + " (INT2, 1 stage K=256)", rows + " x " + dim, ms, String.format(Locale.ROOT,
                        "%.0f GB/s = %.0f%% of copy, %s of peak", gbs, 100 * gbs / copyGbs,
                        peakGbs > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * gbs / peakGbs) : "n/a"));
            }
        }
    }

    private void assign(int tokens, int dim, int clusters) {
        float[] pts = gaussian(3, tokens * dim);
        try (DeviceBuffer p = DeviceBuffer.of(pts);
             DeviceBuffer c = DeviceBuffer.of(Arrays.copyOf(pts, clusters * dim));
             DeviceBuffer pn = DeviceBuffer.allocate(4L * tokens);
             DeviceBuffer cn = DeviceBuffer.allocate(4L * clusters);
             DeviceBuffer act = DeviceBuffer.of(new int[] {1});
             DeviceBuffer ids = DeviceBuffer.allocate(4L * tokens);
             DeviceBuffer ch = DeviceBuffer.zeroed(4);
             DeviceBuffer offs = DeviceBuffer.allocate(4L * clusters);
             DeviceBuffer ends = DeviceBuffer.allocate(4L * clusters);
             DeviceBuffer order = DeviceBuffer.allocate(4L * tokens)) {
            double ms = time(() -> k.assign(1, tokens, dim, clusters, p, c, pn, cn, act, ids, ch, 0));
            double tflops = 2.0 * tokens * dim * clusters / (ms * 1e9);
            row("k-means assign (norms + distances + argmin)", "S=" + tokens + " D=" + dim + " K=" + clusters, ms,
                    String.format(Locale.ROOT, "%.1f TFLOP/s GEMM-equivalent", tflops));
            double ums = time(() -> k.updateCentroids(1, tokens, dim, clusters, p, ids, act, c, offs, ends, order, 0));
            row("k-means centroid update", "S=" + tokens + " D=" + dim + " K=" + clusters, ums, "-");
        }
    }

    /** A full one-stage INT2 quantization of one layer's K (or V) span: k-means, residual, block quantization. */
    private void layerSpan(int heads, int tokens, int dim, int clusters, int iters) {
        long numel = (long) heads * tokens * dim;
        BlockQuantConfig cfg = BlockQuantConfig.publishedInt2();
        int rows = heads * tokens;
        long nb = (long) rows * cfg.blocksPerRow(dim);
        float[] x = gaussian(4, (int) numel);
        float[] init = new float[heads * clusters * dim];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(x, h * tokens * dim, init, h * clusters * dim, clusters * dim);
        }
        int[] act = new int[heads];
        Arrays.fill(act, 1);
        try (DeviceBuffer src = DeviceBuffer.of(x);
             DeviceBuffer p = DeviceBuffer.allocate(4 * numel);
             DeviceBuffer c0 = DeviceBuffer.of(init);
             DeviceBuffer c = DeviceBuffer.allocate(4L * init.length);
             DeviceBuffer pn = DeviceBuffer.allocate(4L * rows);
             DeviceBuffer cn = DeviceBuffer.allocate(4L * heads * clusters);
             DeviceBuffer a = DeviceBuffer.of(act);
             DeviceBuffer ids = DeviceBuffer.allocate(4L * rows);
             DeviceBuffer ch = DeviceBuffer.zeroed(4L * heads);
             DeviceBuffer scales = DeviceBuffer.allocate(2 * nb);
             DeviceBuffer zeros = DeviceBuffer.allocate(0);
             DeviceBuffer us = DeviceBuffer.allocate(4 * nb);
             DeviceBuffer uz = DeviceBuffer.allocate(4 * nb);
             DeviceBuffer codes = DeviceBuffer.allocate((long) rows * cfg.packedBytesPerRow(dim));
             DeviceBuffer offs = DeviceBuffer.allocate(4L * heads * clusters);
             DeviceBuffer ends = DeviceBuffer.allocate(4L * heads * clusters);
             DeviceBuffer order = DeviceBuffer.allocate(4L * rows)) {
            double ms = time(() -> {
                Cu.check(cuMemcpyDtoDAsync(p.ptr(), src.ptr(), 4 * numel, dev.stream(0)), "cuMemcpyDtoDAsync");
                Cu.check(cuMemcpyDtoDAsync(c.ptr(), c0.ptr(), 4L * init.length, dev.stream(0)), "cuMemcpyDtoDAsync");
                for (int it = 0; it < iters; it++) {
                    k.assign(heads, tokens, dim, clusters, p, c, pn, cn, a, ids, ch, 0);
                    k.updateCentroids(heads, tokens, dim, clusters, p, ids, a, c, offs, ends, order, 0);
                }
                k.applyCentroids(rows, tokens, dim, clusters, p, ids, c, -1, 0);
                k.quantizeRows(cfg, dim, 0, rows, p, scales, zeros, us, uz, codes, 0);
            });
            row("one-stage INT2 quantization of a layer span (" + iters + " k-means iterations, no early stop)",
                    heads + " heads x " + tokens + " tokens x " + dim, ms,
                    String.format(Locale.ROOT, "%.1f GB/s of input", 4.0 * numel / (ms * 1e6)));
        }
    }
}
