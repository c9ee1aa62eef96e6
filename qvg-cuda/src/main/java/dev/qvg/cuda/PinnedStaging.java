package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;

/**
 * A page-locked host buffer that grows on demand and is kept between calls (allocating pinned
 * memory costs far more than copying into it). Only pinned memory lets an asynchronous
 * host-to-device copy run while the GPU works on the previous chunk.
 */
final class PinnedStaging implements AutoCloseable {

    private Pointer host;
    private long capacity;

    /** A float view of at least {@code bytes} pinned bytes; invalidated by the next call that grows. */
    FloatBuffer floats(long bytes) {
        if (bytes > capacity) {
            release();
            Pointer p = new Pointer();
            Cu.check(cuMemAllocHost(p, bytes), "cuMemAllocHost(" + bytes + " bytes)");
            host = p;
            capacity = bytes;
        }
        return host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    Pointer pointer() {
        return host;
    }

    private void release() {
        if (host != null) {
            Pointer p = host;
            host = null;
            capacity = 0;
            Cu.check(cuMemFreeHost(p), "cuMemFreeHost");
        }
    }

    @Override
    public void close() {
        release();
    }
}
