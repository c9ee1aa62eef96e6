package dev.qvg.cuda;

/** Launches one kernel of the loaded PTX; {@link CudaDevice} on a GPU, a recorder in tests. */
interface KernelLauncher {

    /**
     * Launches {@code kernel} on a {@code grid} (1 to 3 dimensions) of blocks of {@code block}
     * threads on stream {@code stream}. Arguments: {@link jcuda.NativePointerObject} (device
     * pointers), {@link Integer}, {@link Long}, in the kernel's parameter order.
     */
    void launch(String kernel, int[] grid, int block, int stream, Object... args);
}
