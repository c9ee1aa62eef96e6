package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * One GPU as the backend uses it ({@link Gpu} through the CUDA driver): the device's primary
 * context (shared with other CUDA users of the process), the loaded PTX modules, two streams with
 * an event and a pinned staging buffer each (for the copy/compute pipeline of
 * {@link CudaBackend#quantizePack}), and a launcher. {@link #close()} releases all of it in
 * reverse order.
 */
final class CudaDevice implements Gpu {

    static final int STREAMS = 2;

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, KernelSignature> signatures = new HashMap<>();
    private final CUstream[] streams = new CUstream[STREAMS];
    private final CUevent[] copied = new CUevent[STREAMS];
    private final PinnedStaging[] staging = new PinnedStaging[STREAMS];
    private boolean retained;
    private boolean closed;

    private CudaDevice(int ordinal) {
        this.ordinal = ordinal;
    }

    /** Opens device {@code ordinal}, loading every PTX module; on failure releases what it took. */
    static CudaDevice open(int ordinal) {
        Cu.check(cuInit(0), "cuInit");
        int[] count = new int[1];
        Cu.check(cuDeviceGetCount(count), "cuDeviceGetCount");
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new IllegalArgumentException("qvg.cuda.device: device " + ordinal + " does not exist (" + count[0]
                    + " devices)");
        }
        CudaDevice d = new CudaDevice(ordinal);
        try {
            d.init();
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void init() {
        Cu.check(cuDeviceGet(device, ordinal), "cuDeviceGet");
        Cu.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        retained = true;
        makeCurrent();
        for (Map.Entry<String, List<String>> e : Ptx.ENTRIES.entrySet()) {
            CUmodule m = new CUmodule();
            byte[] ptx = Ptx.load(e.getKey());
            Cu.check(cuModuleLoadData(m, ptx), "cuModuleLoadData(" + e.getKey() + ".ptx)");
            modules.add(m);
            signatures.putAll(KernelSignature.parse(new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII)));
            for (String entry : e.getValue()) {
                CUfunction f = new CUfunction();
                Cu.check(cuModuleGetFunction(f, m, entry), "cuModuleGetFunction(" + entry + ")");
                functions.put(entry, f);
            }
        }
        for (int i = 0; i < STREAMS; i++) {
            // Blocking streams (not CU_STREAM_NON_BLOCKING): they order themselves after the
            // synchronous uploads and memsets the backend issues on the legacy default stream.
            CUstream s = new CUstream();
            Cu.check(cuStreamCreate(s, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
            streams[i] = s;
            CUevent ev = new CUevent();
            Cu.check(cuEventCreate(ev, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
            copied[i] = ev;
            staging[i] = new PinnedStaging();
        }
    }

    int ordinal() {
        return ordinal;
    }

    /** Binds the context to the calling thread (calls may come from different threads). */
    @Override
    public void makeCurrent() {
        ensureOpen();
        Cu.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    CUstream stream(int i) {
        return streams[i];
    }

    void synchronize(int stream) {
        Cu.check(cuStreamSynchronize(streams[stream]), "cuStreamSynchronize");
    }

    @Override
    public int streams() {
        return STREAMS;
    }

    @Override
    public GpuBuffer allocate(long bytes) {
        return DeviceBuffer.allocate(bytes);
    }

    /** Refuses a copy or fill that would run past its allocation: on the device it would corrupt memory silently. */
    private static void checkFits(DeviceMemory m, long at, long bytes, String what) {
        if (m instanceof GpuBuffer && (at < 0 || at + bytes > ((GpuBuffer) m).bytes())) {
            throw new IllegalArgumentException("cuda backend: " + what + " of " + bytes + " bytes at " + at
                    + " outside an allocation of " + ((GpuBuffer) m).bytes());
        }
    }

    @Override
    public void upload(HostSpan src, DeviceMemory dst, long dstByte) {
        checkFits(dst, dstByte, src.bytes(), "upload");
        // A synchronous copy on the legacy default stream: the blocking streams order their
        // earlier work before it and their later work after it.
        if (src.count() > 0) {
            Cu.check(cuMemcpyHtoD(dst.at(dstByte), DeviceBuffer.pointerTo(src), src.bytes()), "cuMemcpyHtoD");
        }
    }

    @Override
    public void uploadAsync(float[] src, int from, int count, DeviceMemory dst, long dstByte, int stream) {
        checkFits(dst, dstByte, 4L * count, "upload");
        // The staging buffer of this stream fed its previous copy: wait for that copy only, work
        // on the other stream keeps running meanwhile (an event never recorded counts as done).
        Cu.check(cuEventSynchronize(copied[stream]), "cuEventSynchronize");
        FloatBuffer f = staging[stream].floats(4L * count);
        f.put(src, from, count);
        Cu.check(cuMemcpyHtoDAsync(dst.at(dstByte), staging[stream].pointer(), 4L * count, streams[stream]),
                "cuMemcpyHtoDAsync");
        Cu.check(cuEventRecord(copied[stream], streams[stream]), "cuEventRecord");
    }

    @Override
    public void download(DeviceMemory src, long srcByte, HostSpan dst) {
        checkFits(src, srcByte, dst.bytes(), "download");
        synchronize();
        if (dst.count() > 0) {
            Cu.check(cuMemcpyDtoH(DeviceBuffer.pointerTo(dst), src.at(srcByte), dst.bytes()), "cuMemcpyDtoH");
        }
    }

    @Override
    public void copy(DeviceMemory dst, DeviceMemory src, long bytes, int stream) {
        checkFits(src, 0, bytes, "copy");
        checkFits(dst, 0, bytes, "copy");
        if (bytes > 0) {
            Cu.check(cuMemcpyDtoDAsync(dst.ptr(), src.ptr(), bytes, streams[stream]), "cuMemcpyDtoDAsync");
        }
    }

    @Override
    public void fill32(DeviceMemory dst, int value, long words, int stream) {
        checkFits(dst, 0, 4 * words, "fill");
        if (words > 0) {
            Cu.check(cuMemsetD32Async(dst.ptr(), value, words, streams[stream]), "cuMemsetD32Async");
        }
    }

    @Override
    public void synchronize() {
        for (int i = 0; i < STREAMS; i++) {
            synchronize(i);
        }
    }

    /** Checks the launch against the kernel's PTX signature, then launches it. */
    @Override
    public void launch(String kernel, int[] grid, int block, int stream, Object... args) {
        CUfunction f = functions.get(kernel);
        if (f == null) {
            throw new IllegalStateException("cuda backend: kernel " + kernel + " was not loaded");
        }
        signatures.get(kernel).check(grid, block, args);
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof NativePointerObject) {
                params[i] = Pointer.to((NativePointerObject) a);
            } else if (a instanceof Integer) {
                params[i] = Pointer.to(new int[] {(Integer) a});
            } else {
                params[i] = Pointer.to(new long[] {(Long) a});
            }
        }
        Cu.check(cuLaunchKernel(f, grid[0], grid.length > 1 ? grid[1] : 1, grid.length > 2 ? grid[2] : 1, block, 1, 1,
                0, streams[stream], Pointer.to(params), null), "cuLaunchKernel(" + kernel + ")");
    }

    /** Blocks of {@code block} threads covering {@code threads} threads, as a 1-D grid. */
    static int[] grid1d(long threads, int block) {
        long blocks = (threads + block - 1) / block;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda backend: " + threads + " threads exceed one 1-D grid");
        }
        return new int[] {(int) Math.max(1, blocks)};
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("cuda backend: used after close");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Best effort in reverse order: every resource is released even if one release fails.
        RuntimeException first = null;
        if (!retained) {
            return;
        }
        try {
            cuCtxSetCurrent(context);
        } catch (RuntimeException e) {
            first = e;
        }
        for (int i = STREAMS - 1; i >= 0; i--) {
            try {
                if (staging[i] != null) {
                    staging[i].close();
                }
                if (copied[i] != null) {
                    cuEventDestroy(copied[i]);
                }
                if (streams[i] != null) {
                    cuStreamDestroy(streams[i]);
                }
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (CUmodule m : modules) {
            cuModuleUnload(m);
        }
        modules.clear();
        functions.clear();
        if (retained) {
            cuDevicePrimaryCtxRelease(device);
        }
        if (first != null) {
            throw first;
        }
    }
}
