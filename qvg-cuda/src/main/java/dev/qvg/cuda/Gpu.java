package dev.qvg.cuda;

/**
 * The device operations {@link CudaBackend} is written against: memory, copies, fills and kernel
 * launches on a small number of streams. {@link CudaDevice} implements them with the CUDA driver;
 * the tests implement them with the host emulation of the kernels, so the backend's own code
 * (uploads, the k-means loop, the stage bookkeeping, downloads) runs without a GPU too.
 *
 * <p>Ordering: launches, fills and asynchronous uploads on one stream run in order; an
 * {@link #upload} runs after all work enqueued before it on any stream; a {@link #download}
 * waits for all enqueued work. Callers make the device current first ({@link #makeCurrent}).
 */
interface Gpu extends KernelLauncher, AutoCloseable {

    /** Streams available to {@link #launch}, {@link #fill32} and {@link #uploadAsync}: 0 and 1 at least. */
    int streams();

    /** Binds the device to the calling thread (calls may come from different threads). */
    void makeCurrent();

    /** A new allocation; its contents are undefined. */
    GpuBuffer allocate(long bytes);

    /** Copies {@code src} to {@code dst + dstByte}, after everything enqueued before. */
    void upload(HostSpan src, DeviceMemory dst, long dstByte);

    /**
     * Copies floats to {@code dst + dstByte} on {@code stream}, through a staging buffer of that
     * stream's own, so the copy overlaps work on the other streams; {@code src} may be reused at once.
     */
    void uploadAsync(float[] src, int from, int count, DeviceMemory dst, long dstByte, int stream);

    /** Waits for all enqueued work, then copies {@code dst.bytes()} bytes from {@code src + srcByte} into {@code dst}. */
    void download(DeviceMemory src, long srcByte, HostSpan dst);

    /** Copies {@code bytes} bytes from {@code src} to {@code dst} on the device, on {@code stream}. */
    void copy(DeviceMemory dst, DeviceMemory src, long bytes, int stream);

    /** Sets {@code words} 32-bit words at {@code dst} to {@code value}, on {@code stream}. */
    void fill32(DeviceMemory dst, int value, long words, int stream);

    /** Waits for all enqueued work. */
    void synchronize();

    @Override
    void close();

    /** A new allocation holding {@code src}. */
    default GpuBuffer copyOf(HostSpan src) {
        GpuBuffer b = allocate(src.bytes());
        try {
            if (src.count() > 0) {
                upload(src, b, 0);
            }
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /** A new allocation of {@code words} 32-bit words set to {@code value}. */
    default GpuBuffer filled(long words, int value) {
        GpuBuffer b = allocate(4 * words);
        try {
            fill32(b, value, words, 0);
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    default void download(DeviceMemory src, HostSpan dst) {
        download(src, 0, dst);
    }
}
