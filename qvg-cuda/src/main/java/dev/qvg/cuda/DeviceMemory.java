package dev.qvg.cuda;

import jcuda.driver.CUdeviceptr;

/** A region of device memory as kernel arguments see it (a {@link DeviceBuffer}, or a fake in tests). */
interface DeviceMemory {

    /** The start of the region. */
    CUdeviceptr ptr();

    /** A pointer {@code byteOffset} bytes into the region. */
    CUdeviceptr at(long byteOffset);
}
