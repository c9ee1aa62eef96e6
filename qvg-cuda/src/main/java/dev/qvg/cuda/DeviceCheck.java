package dev.qvg.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.Availability;
import java.util.Arrays;
import java.util.SplittableRandom;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * The first evidence a GPU run gives, in seconds: whether the driver is usable, which device and
 * driver, whether every PTX module JIT-compiles and loads on it, and one call bit-exact against
 * the reference. Each line is printed as soon as it is known, so a failure still says how far it got.
 *
 * <p>{@code java dev.qvg.cuda.DeviceCheck}: exit 0 when everything holds; 3 no usable driver or
 * GPU; 4 the PTX does not load; 5 the smoke call is not bit-exact.
 */
public final class DeviceCheck {

    private DeviceCheck() {
    }

    public static void main(String[] args) {
        System.exit(run());
    }

    static int run() {
        Availability a = CudaProbe.availability();
        say("probe: " + a.reason());
        if (!a.available()) {
            return 3;
        }
        int ordinal = Integer.getInteger("qvg.cuda.device", 0);
        Cu.check(cuInit(0), "cuInit");
        int[] v = new int[1];
        Cu.check(cuDriverGetVersion(v), "cuDriverGetVersion");
        int[] count = new int[1];
        Cu.check(cuDeviceGetCount(count), "cuDeviceGetCount");
        say("driver API: CUDA " + v[0] / 1000 + "." + (v[0] % 1000) / 10 + "; devices: " + count[0] + "; using " + ordinal);
        describe(ordinal);
        CudaDevice dev;
        try {
            dev = CudaDevice.open(ordinal);
        } catch (RuntimeException e) {
            say("PTX load: FAILED: " + e.getMessage());
            return 4;
        }
        say("PTX load: every module JIT-compiled and loaded: " + Ptx.ENTRIES);
        try (CudaBackend gpu = new CudaBackend(dev)) {
            SplittableRandom r = new SplittableRandom(1);
            float[] x = new float[64 * 128];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            BlockQuantConfig c = BlockQuantConfig.publishedInt2();
            PackedBlocks want = BlockCodec.quantize(x, 0, 64, 128, c);
            PackedBlocks got = gpu.quantizePack(x, 64, 128, c);
            boolean same = Arrays.equals(want.codes(), got.codes()) && Arrays.equals(want.scales(), got.scales());
            say("smoke: quantizePack of [64, 128] INT2 " + (same ? "bit-exact with the reference" : "DIFFERS from the reference"));
            return same ? 0 : 5;
        }
    }

    /** Name, compute capability, SMs, clocks and memory of the device, as the driver reports them. */
    static void describe(int ordinal) {
        CUdevice d = new CUdevice();
        Cu.check(cuDeviceGet(d, ordinal), "cuDeviceGet");
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, d);
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, d);
        say("device " + ordinal + ": " + CudaProbe.cString(name) + ", compute capability "
                + attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) + "."
                + attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR) + ", "
                + attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT) + " SMs, SM clock "
                + attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE) / 1000 + " MHz, memory clock "
                + attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE) / 1000 + " MHz, bus "
                + attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH) + " bits, "
                + mem[0] / (1 << 20) + " MiB");
    }

    /** A device attribute, or -1 where the driver does not report it. */
    static int attribute(CUdevice d, int attribute) {
        int[] out = new int[1];
        return cuDeviceGetAttribute(out, attribute, d) == 0 ? out[0] : -1;
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
