package dev.qvg.io;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Releases a mapping at once instead of when the garbage collector finds the buffer: on Linux a
 * mapping left to the GC keeps file space and address space held for an unknown time. Java 17
 * has no public API for this (the FFM Arena arrived in 22), so it uses
 * {@code sun.misc.Unsafe.invokeCleaner} from the {@code jdk.unsupported} module, which every JDK
 * exports; where it is missing the mapping falls back to the GC. Callers must never touch a
 * buffer after unmapping it: this class is package-private and only used on buffers that never
 * leave the method that mapped them.
 */
final class Unmapper {

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method m = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            m = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = m;
    }

    private Unmapper() {
    }

    /** Whether mappings are released eagerly on this JVM (else the GC releases them). */
    static boolean available() {
        return INVOKE_CLEANER != null;
    }

    static void unmap(MappedByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Left to the GC: correct, only later.
        }
    }
}
