package dev.qvg.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.driver.CUdeviceptr;

/**
 * A device for {@link DeviceKernels} that runs in the host emulation: buffers live here, launches
 * are checked against the PTX signatures and recorded, and {@link #run()} executes them all in the
 * emulator (the kernels' own bodies) and copies every buffer back. Pointers are fake addresses
 * {@code ((buffer + 1) << 40) + offset}, resolved by the emulator.
 */
final class EmulatedDevice implements KernelLauncher {

    private static final Map<String, KernelSignature> SIGNATURES = new HashMap<>();

    static {
        for (String module : Ptx.ENTRIES.keySet()) {
            byte[] z = Ptx.load(module);
            SIGNATURES.putAll(KernelSignature.parse(new String(z, 0, z.length - 1, StandardCharsets.US_ASCII)));
        }
    }

    /** One buffer; its contents are updated by {@link EmulatedDevice#run()}. */
    final class Buffer implements DeviceMemory {
        final int id;
        byte[] bytes;

        Buffer(int id, byte[] bytes) {
            this.id = id;
            this.bytes = bytes;
        }

        @Override
        public CUdeviceptr ptr() {
            return at(0);
        }

        @Override
        public CUdeviceptr at(long byteOffset) {
            if (byteOffset < 0 || byteOffset > bytes.length) {
                throw new AssertionError("buffer " + id + ": offset " + byteOffset + " outside its " + bytes.length + " bytes");
            }
            CUdeviceptr p = new CUdeviceptr();
            addresses.put(p, ((long) (id + 1) << 40) + byteOffset);
            return p;
        }

        private ByteBuffer view() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        float[] floats() {
            float[] f = new float[bytes.length / 4];
            view().asFloatBuffer().get(f);
            return f;
        }

        int[] ints() {
            int[] a = new int[bytes.length / 4];
            view().asIntBuffer().get(a);
            return a;
        }

        short[] shorts() {
            short[] a = new short[bytes.length / 2];
            view().asShortBuffer().get(a);
            return a;
        }
    }

    private record Launch(String kernel, int[] grid, int block, Object[] args) {
    }

    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<CUdeviceptr, Long> addresses = new IdentityHashMap<>();
    private final List<Launch> launches = new ArrayList<>();

    Buffer bytes(byte[] initial) {
        Buffer b = new Buffer(buffers.size(), initial.clone());
        buffers.add(b);
        return b;
    }

    Buffer zeros(long bytes) {
        return bytes(new byte[Math.toIntExact(bytes)]);
    }

    Buffer of(float[] a) {
        ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(a);
        return bytes(b.array());
    }

    Buffer of(int[] a) {
        ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(a);
        return bytes(b.array());
    }

    Buffer of(short[] a) {
        ByteBuffer b = ByteBuffer.allocate(2 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(a);
        return bytes(b.array());
    }

    Buffer of(long[] a) {
        ByteBuffer b = ByteBuffer.allocate(8 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(a);
        return bytes(b.array());
    }

    @Override
    public void launch(String kernel, int[] grid, int block, int stream, Object... args) {
        KernelSignature sig = SIGNATURES.get(kernel);
        if (sig == null) {
            throw new AssertionError("no PTX entry " + kernel);
        }
        sig.check(grid, block, args);
        launches.add(new Launch(kernel, grid.clone(), block, args.clone()));
    }

    /** Runs every recorded launch in order in the emulator and copies all buffers back. */
    void run() throws Exception {
        int size = 8;
        for (Launch l : launches) {
            size += 28 + l.kernel().length() + 12 * l.args().length;
        }
        for (Buffer b : buffers) {
            size += 8 + b.bytes.length;
        }
        ByteBuffer req = HostEmulator.request(size);
        req.putInt(2).putInt(buffers.size());
        for (Buffer b : buffers) {
            req.putLong(b.bytes.length).put(b.bytes);
        }
        req.putInt(launches.size());
        for (Launch l : launches) {
            byte[] name = l.kernel().getBytes(StandardCharsets.US_ASCII);
            req.putInt(name.length).put(name);
            for (int i = 0; i < 3; i++) {
                req.putInt(i < l.grid().length ? l.grid()[i] : 1);
            }
            req.putInt(l.block()).putInt(l.args().length);
            for (Object a : l.args()) {
                if (a instanceof NativePointerObject) {
                    Long addr = addresses.get(a);
                    if (addr == null) {
                        throw new AssertionError(l.kernel() + ": a pointer that no emulated buffer handed out");
                    }
                    req.putInt(0).putLong(addr);
                } else if (a instanceof Integer) {
                    req.putInt(1).putLong((Integer) a);
                } else {
                    req.putInt(2).putLong((Long) a);
                }
            }
        }
        launches.clear();
        ByteBuffer res = HostEmulator.run(req);
        for (Buffer b : buffers) {
            res.get(b.bytes);
        }
        if (res.hasRemaining()) {
            throw new AssertionError("emulator returned " + res.remaining() + " unexpected bytes");
        }
    }
}
