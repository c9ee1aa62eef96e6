package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.tensor.SliceBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Timings of the kernels and of the coarse operations on one GPU, each set against its limit on
 * that GPU: device times from CUDA events around work already on the device (no host copies),
 * except the rows marked "host to host", which time the backend's own call as a user sees it.
 * The work is the LongCat-Video layer of issue 21 by default: 32 heads of 29640 tokens, D = 128,
 * K = 256, 5 k-means iterations with no early stop, INT2 blocks of 64; the PyTorch baselines
 * ({@code scripts/torch_baselines.py}) time the same shapes, and {@code scripts/compare_timings.py}
 * sets the two side by side.
 *
 * <p>Each row is printed as a Markdown table row as soon as it is measured, and the JSON file
 * ({@code --json FILE}) is rewritten after each row, so a run cut short keeps what it measured.
 *
 * <p>{@code java dev.qvg.cuda.KernelTimings [--quick] [--json FILE] [--heads H] [--tokens S] [--iters N]}
 */
public final class KernelTimings {

    private static final int D = 128, K = 256;

    /** Median milliseconds of {@code reps} runs of device work (after a warm-up). */
    interface Clock {
        double medianMs(int reps, Runnable enqueue);
    }

    /** The work to time: the layer of {@code heads x [tokens, 128]}, {@code iters} k-means iterations. */
    record Shapes(int heads, int tokens, int iters, int assignTokens, long copyBytes, int reps) {
        static Shapes of(boolean quick, int heads, int tokens, int iters) {
            return quick ? new Shapes(Math.min(heads, 2), Math.min(tokens, 2048), Math.min(iters, 2), 4096, 64L << 20, 3)
                    : new Shapes(heads, tokens, iters, 32768, 1L << 30, 10);
        }
    }

    private final Gpu dev;
    private final DeviceKernels k;
    private final Clock clock;
    private final int reps;
    private final Path json;
    private final List<String> rows = new ArrayList<>();
    private final String device;
    private final double peakGbs, peakTflops;
    private double copyGbs;

    /**
     * @param device     the device's description as JSON members (for the JSON file)
     * @param peakGbs    theoretical memory bandwidth, 0 if unknown
     * @param peakTflops FP32 peak (an FMA counted as 2), 0 if unknown
     */
    KernelTimings(Gpu dev, Clock clock, int reps, Path json, String device, double peakGbs, double peakTflops) {
        this.dev = dev;
        this.k = new DeviceKernels(dev);
        this.clock = clock;
        this.reps = reps;
        this.json = json;
        this.device = device;
        this.peakGbs = peakGbs;
        this.peakTflops = peakTflops;
    }

    /** Every row, in order. */
    void runAll(Shapes s) {
        System.out.println("| key | measurement | shape | median time | throughput | limit | of limit |");
        System.out.println("|---|---|---|---|---|---|---|");
        copy(s.copyBytes());
        assignAndUpdate(s.assignTokens());
        layerKernels(s.heads(), s.tokens());
        decode(s.heads(), s.tokens());
        layerCalls(s.heads(), s.tokens(), s.iters());
    }

    public static void main(String[] args) {
        boolean quick = false;
        int heads = 32, tokens = 29640, iters = 5;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": quick = true; break;
                case "--heads": heads = Integer.parseInt(args[++i]); break;
                case "--tokens": tokens = Integer.parseInt(args[++i]); break;
                case "--iters": iters = Integer.parseInt(args[++i]); break;
                case "--json": json = Path.of(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        var a = new CudaBackendProvider().availability();
        if (!a.available()) {
            System.err.println("KernelTimings: cuda unavailable: " + a.reason());
            System.exit(3);
        }
        Shapes shapes = Shapes.of(quick, heads, tokens, iters);
        try (CudaDevice dev = CudaDevice.open(Integer.getInteger("qvg.cuda.device", 0))) {
            dev.makeCurrent();
            DeviceLimits lim = DeviceLimits.of(dev.ordinal());
            new KernelTimings(dev, new EventClock(dev), shapes.reps(), json, lim.json, lim.peakGbs, lim.peakTflops)
                    .runAll(shapes);
        }
    }

    // ---- limits of this GPU ----

    /** FP32 lanes per SM by compute capability (CUDA programming guide, arithmetic instructions table). */
    static int fp32LanesPerSm(int major, int minor) {
        return major >= 9 || (major == 8 && minor != 0) ? 128 : 64;  // A100 (8.0) and older: 64
    }

    /** The device's theoretical memory bandwidth and FP32 peak from its attributes. */
    record DeviceLimits(String json, double peakGbs, double peakTflops) {
        static DeviceLimits of(int ordinal) {
            CUdevice d = new CUdevice();
            Cu.check(cuDeviceGet(d, ordinal), "cuDeviceGet");
            int major = DeviceCheck.attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            int minor = DeviceCheck.attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            int sms = DeviceCheck.attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            int clockKhz = DeviceCheck.attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
            int memKhz = DeviceCheck.attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
            int bus = DeviceCheck.attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
            double gbs = memKhz > 0 && bus > 0 ? 2.0 * memKhz * 1e3 * bus / 8 / 1e9 : 0;
            double tflops = sms > 0 && clockKhz > 0 ? (double) sms * fp32LanesPerSm(major, minor) * 2 * clockKhz * 1e3 / 1e12 : 0;
            DeviceCheck.describe(ordinal);
            System.out.println(String.format(Locale.ROOT, "theoretical memory bandwidth %.0f GB/s; FP32 peak %.1f TFLOP/s"
                    + " (an FMA counted as 2; the exact kernels use no FMA, so their own ceiling is half of it)", gbs, tflops));
            String json = String.format(Locale.ROOT, "\"compute_capability\": \"%d.%d\", \"sms\": %d, \"sm_clock_mhz\": %d, "
                    + "\"peak_memory_gbs\": %.1f, \"peak_fp32_tflops\": %.2f", major, minor, sms, clockKhz / 1000, gbs, tflops);
            return new DeviceLimits(json, gbs, tflops);
        }
    }

    // ---- timing ----

    /** CUDA events around the work on stream 0: device time only. */
    static final class EventClock implements Clock {
        private final CudaDevice dev;

        EventClock(CudaDevice dev) {
            this.dev = dev;
        }

        @Override
        public double medianMs(int reps, Runnable enqueue) {
            CUevent start = new CUevent(), end = new CUevent();
            Cu.check(cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
            Cu.check(cuEventCreate(end, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
            try {
                enqueue.run();
                dev.synchronize();
                float[] ms = new float[reps];
                float[] one = new float[1];
                for (int i = 0; i < reps; i++) {
                    Cu.check(cuEventRecord(start, dev.stream(0)), "cuEventRecord");
                    enqueue.run();
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
    }

    private double time(Runnable enqueue) {
        return clock.medianMs(reps, enqueue);
    }

    /** Median milliseconds of a host call as its caller sees it (3 runs after a warm-up); {@code setup} is not timed. */
    private static double wall(Runnable setup, Runnable call) {
        double[] ms = new double[3];
        for (int i = -1; i < ms.length; i++) {
            setup.run();
            long t0 = System.nanoTime();
            call.run();
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[1];
    }

    /** Prints one row and rewrites the JSON file with every row so far. */
    private void row(String key, String what, String shape, double ms, double value, String unit, double limit,
                     String limitName) {
        double fraction = limit > 0 ? value / limit : Double.NaN;
        System.out.println(String.format(Locale.ROOT, "| %s | %s | %s | %.3f ms | %s | %s | %s |", key, what, shape, ms,
                value > 0 ? String.format(Locale.ROOT, "%.1f %s", value, unit) : "-",
                limit > 0 ? String.format(Locale.ROOT, "%.1f %s (%s)", limit, unit, limitName) : "-",
                limit > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * fraction) : "-"));
        System.out.flush();
        rows.add(String.format(Locale.ROOT, "{\"key\": \"%s\", \"what\": \"%s\", \"shape\": \"%s\", \"ms\": %.4f, "
                + "\"value\": %.3f, \"unit\": \"%s\", \"limit\": %.3f, \"limit_name\": \"%s\"}", key, what, shape, ms, value,
                unit, limit, limitName));
        if (json != null) {
            try {
                Files.writeString(json, "{\"device\": {" + device + "},\n \"rows\": [\n  "
                        + String.join(",\n  ", rows) + "\n]}\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static float[] gaussian(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Tokens around 1000 prototypes per head, as video tokens cluster. */
    private static float[] clustered(long seed, int heads, int tokens) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[heads * tokens * D];
        float[] protos = gaussian(seed + 1, 1000 * D);
        for (int row = 0; row < heads * tokens; row++) {
            int p = r.nextInt(1000);
            for (int d = 0; d < D; d++) {
                x[row * D + d] = protos[p * D + d] * 2 + (float) (r.nextGaussian() * 0.3);
            }
        }
        return x;
    }

    // ---- rows ----

    private void copy(long bytes) {
        try (GpuBuffer a = dev.filled(bytes / 4, 0); GpuBuffer b = dev.allocate(bytes)) {
            double ms = time(() -> dev.copy(b, a, bytes, 0));
            copyGbs = 2.0 * bytes / (ms * 1e6);
            row("d2d_copy", "device-to-device copy (read + write)", (bytes >> 20) + " MiB", ms, copyGbs, "GB/s", peakGbs,
                    "theoretical");
        }
    }

    private void assignAndUpdate(int tokens) {
        float[] pts = clustered(3, 1, tokens);
        String shape = "S=" + tokens + " D=" + D + " K=" + K;
        try (GpuBuffer p = dev.copyOf(HostSpan.of(pts));
             GpuBuffer c = dev.copyOf(HostSpan.of(Arrays.copyOf(pts, K * D)));
             GpuBuffer pn = dev.allocate(4L * tokens);
             GpuBuffer cn = dev.allocate(4L * K);
             GpuBuffer act = dev.filled(1, 1);
             GpuBuffer ids = dev.filled(tokens, -1);
             GpuBuffer ch = dev.filled(1, 0);
             GpuBuffer offs = dev.allocate(4L * K);
             GpuBuffer ends = dev.allocate(4L * K);
             GpuBuffer order = dev.allocate(4L * tokens)) {
            double ms = time(() -> k.assign(1, tokens, D, K, p, c, pn, cn, act, ids, ch, 0));
            row("assign_single", "k-means assign (norms + distances + argmin)", shape, ms, 2.0 * tokens * D * K / (ms * 1e9),
                    "TFLOP/s", peakTflops, "FP32 peak");
            double ums = time(() -> k.updateCentroids(1, tokens, D, K, p, ids, act, c, offs, ends, order, 0));
            double bytes = 4.0 * tokens * D + 4.0 * tokens * 3;  // points once, ids read twice, order written
            row("update_single", "centroid update (stable counting sort + row-order double means)", shape, ums,
                    bytes / (ums * 1e6), "GB/s", copyGbs, "copy");
        }
    }

    /** The k-means iteration and the block quantization of a whole layer tensor, resident. */
    private void layerKernels(int heads, int tokens) {
        int rows = heads * tokens;
        long numel = (long) rows * D;
        String shape = heads + " x [" + tokens + ", " + D + "], K=" + K;
        float[] x = clustered(4, heads, tokens);
        float[] init = new float[heads * K * D];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(x, h * tokens * D, init, h * K * D, K * D);
        }
        BlockQuantConfig cfg = BlockQuantConfig.publishedInt2();
        long nb = (long) rows * cfg.blocksPerRow(D);
        try (GpuBuffer p = dev.copyOf(HostSpan.of(x));
             GpuBuffer c = dev.copyOf(HostSpan.of(init));
             GpuBuffer pn = dev.allocate(4L * rows);
             GpuBuffer cn = dev.allocate(4L * heads * K);
             GpuBuffer act = dev.filled(heads, 1);
             GpuBuffer ids = dev.filled(rows, -1);
             GpuBuffer ch = dev.filled(heads, 0);
             GpuBuffer offs = dev.allocate(4L * heads * K);
             GpuBuffer ends = dev.allocate(4L * heads * K);
             GpuBuffer order = dev.allocate(4L * rows);
             GpuBuffer scales = dev.allocate(2 * nb);
             GpuBuffer zeros = dev.allocate(0);
             GpuBuffer us = dev.allocate(4 * nb);
             GpuBuffer uz = dev.allocate(4 * nb);
             GpuBuffer codes = dev.allocate((long) rows * cfg.packedBytesPerRow(D))) {
            k.sqNorms(p, rows, D, pn, 0);
            double ms = time(() -> {
                k.assignWithPointNorms(heads, tokens, D, K, p, c, pn, cn, act, ids, ch, 0);
                k.updateCentroids(heads, tokens, D, K, p, ids, act, c, offs, ends, order, 0);
            });
            row("kmeans_iter_layer", "one k-means iteration (assign + update), resident", shape, ms,
                    2.0 * numel * K / (ms * 1e9), "TFLOP/s", peakTflops, "FP32 peak");
            double qms = time(() -> k.quantizeRows(cfg, D, 0, rows, p, scales, zeros, us, uz, codes, 0));
            double bytes = 4.0 * numel + numel / 4.0 + 2.0 * nb;
            row("quantize_layer", "INT2 block-64 quantize + pack", heads + " x [" + tokens + ", " + D + "]", qms,
                    bytes / (qms * 1e6), "GB/s", copyGbs, "copy");
        }
    }

    /** Fused decode of the layer tensor with one stage of K centroids per head. */
    private void decode(int heads, int tokens) {
        int rows = heads * tokens;
        long numel = (long) rows * D;
        BlockQuantConfig cfg = BlockQuantConfig.publishedInt2();
        PackedBlocks blocks = BlockCodec.quantize(gaussian(1, (int) numel), 0, rows, D, cfg);
        int[] ids = new SplittableRandom(2).ints(rows, 0, K).toArray();
        ClusterStage st = ClusterStage.ofFloatCentroids(heads, tokens, D, K, gaussian(5, heads * K * D), ids, new int[heads]);
        StagePack sp = StagePack.of(List.of(st));
        try (GpuBuffer codes = dev.copyOf(HostSpan.of(blocks.codes()));
             GpuBuffer scales = dev.copyOf(HostSpan.of(blocks.scales()));
             GpuBuffer zeros = dev.allocate(0);
             GpuBuffer c = dev.copyOf(HostSpan.of(sp.centroids()));
             GpuBuffer id = dev.copyOf(HostSpan.of(sp.ids()));
             GpuBuffer offs = dev.copyOf(HostSpan.of(sp.centroidOffsets()));
             GpuBuffer ks = dev.copyOf(HostSpan.of(sp.clusters()));
             GpuBuffer out = dev.allocate(numel * 4)) {
            for (String kernel : new String[] {Ptx.DECODE_F32, Ptx.DECODE_BF16}) {
                int outBytes = kernel.equals(Ptx.DECODE_F32) ? 4 : 2;
                double ms = time(() -> k.decode(kernel, cfg, rows, D, codes, scales, zeros, D, tokens, 1, c, id, offs, ks,
                        out, 0));
                double bytes = blocks.codes().length + 2.0 * blocks.scales().length + 4.0 * rows + (double) numel * outBytes;
                row(kernel.equals(Ptx.DECODE_F32) ? "decode_f32_layer" : "decode_bf16_layer",
                        "fused unpack + dequant + 1 stage (" + kernel + ")", heads + " x [" + tokens + ", " + D + "]", ms,
                        bytes / (ms * 1e6), "GB/s", copyGbs, "copy");
            }
        }
    }

    /** The coarse operations through the backend, host to host: what a user's call costs. */
    private void layerCalls(int heads, int tokens, int iters) {
        SliceBatch b = new SliceBatch(heads, tokens, D);
        float[] x = clustered(6, heads, tokens);
        KMeansConfig km = new KMeansConfig(K, iters, 0, 7, KMeansInit.RANDOM);
        SpanPlan plan = new SpanPlan(1, km, BlockQuantConfig.publishedInt2(), null);
        String shape = b + ", K=" + K + ", " + iters + " iterations, tol 0";
        // The backend shares the open device; closing it would close the device, so it is not closed here.
        CudaBackend gpu = new CudaBackend(dev);
        double cms = wall(() -> { }, () -> gpu.cluster(b, x, km, null));
        row("cluster_layer_wall", "cluster() host to host (upload, init on host, iterations, download)", shape, cms, 0, "", 0,
                "");
        float[] work = new float[x.length];  // encodeSpan leaves the residual in its input: a fresh copy each run
        double ems = wall(() -> System.arraycopy(x, 0, work, 0, x.length), () -> gpu.encodeSpan(b, work, plan));
        row("encode_span_layer_wall", "encodeSpan() 1 stage INT2, host to host (one layer's K or V)", shape, ems,
                4.0 * x.length / (ems * 1e6), "GB/s of input", 0, "");
        System.out.println(String.format(Locale.ROOT, "K and V of one layer of this shape by encodeSpan: about %.0f ms"
                + " (issue 21's CPU target for the LongCat-Video layer, 32 x [29640, 128]: 8000 ms on 2 cores)", 2 * ems));
    }
}
