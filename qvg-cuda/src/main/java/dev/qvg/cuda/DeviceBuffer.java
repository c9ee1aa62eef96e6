package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * One device allocation through the CUDA driver, freed by {@link #close()} (use try-with-resources
 * so that an exception between allocation and use cannot leak device memory). Callers make the
 * owning context current; copies go through {@link CudaDevice}.
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
