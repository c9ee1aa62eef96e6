package dev.qvg.cuda;

/** One device allocation of {@link #bytes()} bytes, freed by {@link #close()} (use try-with-resources). */
interface GpuBuffer extends DeviceMemory, AutoCloseable {

    long bytes();

    @Override
    void close();
}
