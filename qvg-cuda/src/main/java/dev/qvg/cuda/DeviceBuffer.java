package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * One device allocation, freed by {@link #close()} (use try-with-resources so that an exception
 * between allocation and use cannot leak device memory). Callers make the owning context current.
 */
final class DeviceBuffer implements GpuBuffer {

    private final CUdeviceptr ptr = new CUdeviceptr();
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(long bytes) {
        this.bytes = bytes;
        // Zero-length requests still get a small allocation so that every argument is a valid pointer.
        Cu.check(cuMemAlloc(ptr, Math.max(bytes, 16)), "cuMemAlloc(" + bytes + " bytes)");
    }

    static DeviceBuffer allocate(long bytes) {
        return new DeviceBuffer(bytes);
    }

    /** An allocation of {@code bytes} filled with zero bytes. */
    static DeviceBuffer zeroed(long bytes) {
        DeviceBuffer b = new DeviceBuffer(bytes);
        Cu.check(cuMemsetD32(b.ptr, 0, (Math.max(bytes, 16) + 3) / 4), "cuMemsetD32");
        return b;
    }

    static DeviceBuffer of(float[] a) {
        return upload(Pointer.to(a), (long) a.length * Float.BYTES);
    }

    static DeviceBuffer of(int[] a) {
        return upload(Pointer.to(a), (long) a.length * Integer.BYTES);
    }

    static DeviceBuffer of(short[] a) {
        return upload(Pointer.to(a), (long) a.length * Short.BYTES);
    }

    static DeviceBuffer of(byte[] a) {
        return upload(Pointer.to(a), a.length);
    }

    static DeviceBuffer of(long[] a) {
        return upload(Pointer.to(a), (long) a.length * Long.BYTES);
    }

    private static DeviceBuffer upload(Pointer host, long bytes) {
        DeviceBuffer b = new DeviceBuffer(bytes);
        try {
            if (bytes > 0) {
                Cu.check(cuMemcpyHtoD(b.ptr, host, bytes), "cuMemcpyHtoD");
            }
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    @Override
    public CUdeviceptr ptr() {
        ensureLive();
        return ptr;
    }

    /** A pointer {@code byteOffset} bytes into this allocation. */
    @Override
    public CUdeviceptr at(long byteOffset) {
        ensureLive();
        if (byteOffset < 0 || byteOffset > bytes) {
            throw new IndexOutOfBoundsException("device buffer: offset " + byteOffset + " outside " + bytes + " bytes");
        }
        return ptr.withByteOffset(byteOffset);
    }

    @Override
    public long bytes() {
        return bytes;
    }

    /** The JCuda pointer of a host span's first element. */
    static Pointer pointerTo(HostSpan h) {
        Object a = h.array();
        Pointer p;
        if (a instanceof float[]) {
            p = Pointer.to((float[]) a);
        } else if (a instanceof int[]) {
            p = Pointer.to((int[]) a);
        } else if (a instanceof short[]) {
            p = Pointer.to((short[]) a);
        } else if (a instanceof byte[]) {
            p = Pointer.to((byte[]) a);
        } else if (a instanceof long[]) {
            p = Pointer.to((long[]) a);
        } else {
            throw new IllegalArgumentException("host span: unsupported array " + a.getClass().getSimpleName());
        }
        return h.from() == 0 ? p : p.withByteOffset(h.byteOffset());
    }

    void download(float[] a) {
        copyOut(Pointer.to(a), (long) a.length * Float.BYTES);
    }

    void download(int[] a) {
        copyOut(Pointer.to(a), (long) a.length * Integer.BYTES);
    }

    void download(short[] a) {
        copyOut(Pointer.to(a), (long) a.length * Short.BYTES);
    }

    void download(byte[] a) {
        copyOut(Pointer.to(a), a.length);
    }

    private void copyOut(Pointer host, long n) {
        ensureLive();
        if (n > bytes) {
            throw new IllegalArgumentException("device buffer: cannot copy " + n + " bytes out of " + bytes);
        }
        if (n > 0) {
            Cu.check(cuMemcpyDtoH(host, ptr, n), "cuMemcpyDtoH");
        }
    }

    private void ensureLive() {
        if (freed) {
            throw new IllegalStateException("device buffer: used after close");
        }
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            Cu.check(cuMemFree(ptr), "cuMemFree");
        }
    }
}
