package dev.qvg.cuda;

import dev.qvg.api.spi.Availability;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Decides once per JVM whether the CUDA backend can run here, never throwing: loading JCuda's
 * driver binding fails with an {@link UnsatisfiedLinkError} where {@code libcuda.so} is absent,
 * and {@code cuInit} fails where the driver finds no GPU. The first call costs a native library
 * load (milliseconds); later calls return the cached answer.
 */
final class CudaProbe {

    private CudaProbe() {
    }

    private static final class Holder {
        static final Availability RESULT = probe();
    }

    static Availability availability() {
        return Holder.RESULT;
    }

    private static Availability probe() {
        try {
            int r = JCudaDriver.cuInit(0);
            if (r == CUresult.CUDA_ERROR_NO_DEVICE) {
                return Availability.unavailable("no GPU (the CUDA driver reports no device)");
            }
            if (r != CUresult.CUDA_SUCCESS) {
                return Availability.unavailable("CUDA driver unusable: cuInit returned " + CUresult.stringFor(r));
            }
            int[] count = new int[1];
            r = JCudaDriver.cuDeviceGetCount(count);
            if (r != CUresult.CUDA_SUCCESS || count[0] == 0) {
                return Availability.unavailable("no GPU (cuDeviceGetCount: " + CUresult.stringFor(r) + ", "
                        + count[0] + " devices)");
            }
            int[] version = new int[1];
            JCudaDriver.cuDriverGetVersion(version);
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, 0);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, dev);
            return new Availability(true, "available: " + count[0] + " device(s), device 0 " + cString(name)
                    + ", driver API " + version[0] / 1000 + "." + (version[0] % 1000) / 10);
        } catch (LinkageError e) {
            // UnsatisfiedLinkError, or NoClassDefFoundError/ExceptionInInitializerError after a failed load.
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("libcuda")) {
                return Availability.unavailable("no CUDA driver (libcuda.so not found)");
            }
            return Availability.unavailable("JCuda driver binding could not be loaded for "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + firstLine(msg));
        } catch (Throwable t) {
            return Availability.unavailable("CUDA probe failed: " + t.getClass().getSimpleName() + ": "
                    + firstLine(String.valueOf(t.getMessage())));
        }
    }

    static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
