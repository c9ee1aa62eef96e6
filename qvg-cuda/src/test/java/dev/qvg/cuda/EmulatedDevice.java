package dev.qvg.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.driver.CUdeviceptr;

/**
 * A {@link Gpu} that runs in the host emulation: buffers live here, launches are checked against
 * the PTX signatures and recorded, and whatever needs their results (a copy, a fill,
 * {@link #synchronize}) first runs the recorded launches in the emulator (the kernels' own
 * bodies) and copies every buffer back, so work happens in the order the device would do it.
 * Pointers are fake addresses {@code ((buffer + 1) << 40) + offset}, resolved by the emulator.
 * New allocations hold a poison pattern, not zeros, so a kernel that reads memory nobody wrote
 * gives different results here than the reference. {@link #runs()} counts emulator runs: how
 * many times the host waited for the device.
 */
final class EmulatedDevice implements Gpu {

    private static final Map<String, KernelSignature> SIGNATURES = new HashMap<>();
    private static final byte POISON = 0x5A;
    /** The emulator's name for a fill (cuMemsetD32Async). */
    private static final String FILL = "__fill32";

    static {
        for (String module : Ptx.ENTRIES.keySet()) {
            byte[] z = Ptx.load(module);
            SIGNATURES.putAll(KernelSignature.parse(new String(z, 0, z.length - 1, StandardCharsets.US_ASCII)));
        }
    }

    /** One buffer; its contents are updated whenever the device runs. */
    final class Buffer implements GpuBuffer {
        final int id;
        byte[] bytes;
        private boolean freed;

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
            if (freed) {
                throw new AssertionError("buffer " + id + ": used after close");
            }
            if (byteOffset < 0 || byteOffset > bytes.length) {
                throw new AssertionError("buffer " + id + ": offset " + byteOffset + " outside its " + bytes.length + " bytes");
            }
            CUdeviceptr p = new CUdeviceptr();
            addresses.put(p, ((long) (id + 1) << 40) + byteOffset);
            return p;
        }

        @Override
        public long bytes() {
            return bytes.length;
        }

        @Override
        public void close() {
            if (!freed) {
                run();  // a kernel still to run may use it
                freed = true;
                bytes = new byte[0];
                live--;
            }
        }

        private ByteBuffer view() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        float[] floats() {
            run();
            float[] f = new float[bytes.length / 4];
            view().asFloatBuffer().get(f);
            return f;
        }

        int[] ints() {
            run();
            int[] a = new int[bytes.length / 4];
            view().asIntBuffer().get(a);
            return a;
        }

        short[] shorts() {
            run();
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
    private final List<String> transfers = new ArrayList<>();
    private int live;
    private int runs;
    private boolean closed;

    // ---- helpers for tests that drive DeviceKernels directly ----

    Buffer bytes(byte[] initial) {
        Buffer b = (Buffer) allocate(initial.length);
        System.arraycopy(initial, 0, b.bytes, 0, initial.length);
        return b;
    }

    Buffer zeros(long bytes) {
        Buffer b = (Buffer) allocate(bytes);
        Arrays.fill(b.bytes, (byte) 0);
        return b;
    }

    Buffer of(float[] a) {
        return (Buffer) copyOf(HostSpan.of(a));
    }

    Buffer of(int[] a) {
        return (Buffer) copyOf(HostSpan.of(a));
    }

    Buffer of(short[] a) {
        return (Buffer) copyOf(HostSpan.of(a));
    }

    Buffer of(long[] a) {
        return (Buffer) copyOf(HostSpan.of(a));
    }

    /** Allocations not yet closed. */
    int liveBuffers() {
        return live;
    }

    /** Every host-device copy so far, as "up N" or "down N" (bytes), in order. */
    List<String> transfers() {
        return transfers;
    }

    /** How many times the recorded launches were run (each is one wait of the host for the device). */
    int runs() {
        return runs;
    }

    // ---- Gpu ----

    @Override
    public int streams() {
        return 2;
    }

    @Override
    public void makeCurrent() {
        if (closed) {
            throw new IllegalStateException("emulated device: used after close");
        }
    }

    @Override
    public GpuBuffer allocate(long bytes) {
        byte[] b = new byte[Math.toIntExact(bytes)];
        Arrays.fill(b, POISON);
        Buffer buf = new Buffer(buffers.size(), b);
        buffers.add(buf);
        live++;
        return buf;
    }

    @Override
    public void upload(HostSpan src, DeviceMemory dst, long dstByte) {
        run();
        transfers.add("up " + src.bytes());
        Buffer b = owner(dst);
        ByteBuffer to = b.view();
        to.position(Math.toIntExact(dstByte));
        Object a = src.array();
        if (a instanceof float[]) {
            to.asFloatBuffer().put((float[]) a, src.from(), src.count());
        } else if (a instanceof int[]) {
            to.asIntBuffer().put((int[]) a, src.from(), src.count());
        } else if (a instanceof short[]) {
            to.asShortBuffer().put((short[]) a, src.from(), src.count());
        } else if (a instanceof long[]) {
            to.asLongBuffer().put((long[]) a, src.from(), src.count());
        } else {
            to.put((byte[]) a, src.from(), src.count());
        }
    }

    @Override
    public void uploadAsync(float[] src, int from, int count, DeviceMemory dst, long dstByte, int stream) {
        checkStream(stream);
        upload(HostSpan.of(src, from, count), dst, dstByte);
    }

    @Override
    public void download(DeviceMemory src, long srcByte, HostSpan dst) {
        run();
        transfers.add("down " + dst.bytes());
        Buffer b = owner(src);
        long at = srcByte;
        if (at + dst.bytes() > b.bytes.length) {
            throw new AssertionError("download of " + dst.bytes() + " bytes at " + at + " from buffer " + b.id + " of "
                    + b.bytes.length);
        }
        ByteBuffer from = b.view();
        from.position(Math.toIntExact(at));
        Object a = dst.array();
        if (a instanceof float[]) {
            from.asFloatBuffer().get((float[]) a, dst.from(), dst.count());
        } else if (a instanceof int[]) {
            from.asIntBuffer().get((int[]) a, dst.from(), dst.count());
        } else if (a instanceof short[]) {
            from.asShortBuffer().get((short[]) a, dst.from(), dst.count());
        } else if (a instanceof long[]) {
            from.asLongBuffer().get((long[]) a, dst.from(), dst.count());
        } else {
            from.get((byte[]) a, dst.from(), dst.count());
        }
    }

    @Override
    public void copy(DeviceMemory dst, DeviceMemory src, long bytes, int stream) {
        checkStream(stream);
        run();
        System.arraycopy(owner(src).bytes, 0, owner(dst).bytes, 0, Math.toIntExact(bytes));
    }

    @Override
    public void fill32(DeviceMemory dst, int value, long words, int stream) {
        checkStream(stream);
        if (4 * words > owner(dst).bytes.length) {
            throw new AssertionError("fill of " + words + " words into buffer " + owner(dst).id + " of "
                    + owner(dst).bytes.length + " bytes");
        }
        // Enqueued like a launch (the emulator runs it in order), as cuMemsetD32Async is.
        launches.add(new Launch(FILL, new int[] {1, 1, 1}, 1, new Object[] {dst.ptr(), value, words}));
    }

    @Override
    public void synchronize() {
        run();
    }

    @Override
    public void launch(String kernel, int[] grid, int block, int stream, Object... args) {
        checkStream(stream);
        KernelSignature sig = SIGNATURES.get(kernel);
        if (sig == null) {
            throw new AssertionError("no PTX entry " + kernel);
        }
        sig.check(grid, block, args);
        launches.add(new Launch(kernel, grid.clone(), block, args.clone()));
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkStream(int stream) {
        if (stream < 0 || stream >= streams()) {
            throw new AssertionError("stream " + stream + " does not exist");
        }
    }

    private static Buffer owner(DeviceMemory m) {
        if (!(m instanceof Buffer)) {
            throw new AssertionError("not an emulated buffer: " + m);
        }
        return (Buffer) m;
    }

    /** Runs every recorded launch in order in the emulator and copies all buffers back (nothing when none is recorded). */
    void run() {
        if (launches.isEmpty()) {
            return;
        }
        try {
            runLaunches();
        } catch (Exception e) {
            throw new IllegalStateException("host emulation failed: " + e.getMessage(), e);
        }
    }

    private void runLaunches() throws Exception {
        long size = 8;
        for (Launch l : launches) {
            size += 28 + l.kernel().length() + 12L * l.args().length;
        }
        for (Buffer b : buffers) {
            size += 8 + b.bytes.length;
        }
        ByteBuffer req = HostEmulator.request(Math.toIntExact(size));
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
        runs++;
        ByteBuffer res = HostEmulator.run(req);
        for (Buffer b : buffers) {
            res.get(b.bytes);
        }
        if (res.hasRemaining()) {
            throw new AssertionError("emulator returned " + res.remaining() + " unexpected bytes");
        }
    }
}
