package dev.qvg.cpu;

import java.util.function.IntSupplier;

/**
 * Whether the CPU backend may run its vector (SIMD) block kernels, {@link VectorBlockKernels}, and
 * why not when it may not. Both paths give the same bits, so the choice changes speed only.
 *
 * <p>The vector kernels use the JDK's incubating Vector API, which a JVM offers only when started
 * with {@code --add-modules jdk.incubator.vector} (the {@code ./qvg} launcher, the test runner and
 * the benchmarks do so). Without it, with {@code -D}{@value #PROPERTY}{@code =false}, or where the
 * CPU's widest vector is neither 256 nor 512 bits, the scalar {@link BlockKernels} run instead.
 *
 * <p>Even where they may run, they start only once a JVM has moved a lot of data through the
 * block kernels ({@value #WARMUP_AFTER_PROPERTY}, see {@link VectorWarmup}): compiling them costs
 * seconds of CPU that a short job never earns back.
 */
public final class Simd {

    /** System property that turns the vector kernels off ({@code false}); default on. */
    public static final String PROPERTY = "qvg.cpu.simd";
    /**
     * System property: values (quantized plus dequantized) after which the vector kernels are
     * compiled and used; default {@value #DEFAULT_WARMUP_AFTER}, 0 to start at once.
     */
    public static final String WARMUP_AFTER_PROPERTY = "qvg.cpu.simd.warmupAfter";
    /**
     * 2^30 values. Measured on 2 cores, one thread: the vector kernels save about 1.5 ns a value
     * in quantize+pack and 0.3 to 0.4 ns in dequantize and decode, and compiling them costs about
     * 3 s of CPU, so they pay back after some 2 to 10 billion values. A JVM that has moved a
     * billion is running a long job (a streaming cache reads its whole history every step) and
     * will get there; a one-off command never does.
     */
    public static final long DEFAULT_WARMUP_AFTER = 1L << 30;
    static final String MODULE = "jdk.incubator.vector";
    /**
     * The kernels read a vector's INT2 codes as one short (256 bits) or int (512 bits) of packed
     * bytes; 128-bit vectors would gain little, and wider ones need another unpacking.
     */
    static final int MIN_BITS = 256;
    static final int MAX_BITS = 512;

    /** Set when a property is malformed; {@link #checkProperty()} reports it. */
    private static final String PROPERTY_ERROR;
    private static final boolean ALLOWED;
    private static final long WARMUP_AFTER;

    static {
        String error = null;
        boolean allowed = true;
        long after = DEFAULT_WARMUP_AFTER;
        try {
            allowed = parseSwitch(System.getProperty(PROPERTY, "true"));
            after = parseWarmupAfter(System.getProperty(WARMUP_AFTER_PROPERTY));
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
            allowed = false;
        }
        PROPERTY_ERROR = error;
        ALLOWED = allowed;
        WARMUP_AFTER = after;
    }

    private Simd() {
    }

    /**
     * True when the vector kernels may run in this JVM (they still wait for
     * {@link VectorWarmup}). The first call probes the Vector API.
     */
    public static boolean enabled() {
        return Decision.ENABLED;
    }

    /** One line for users: {@code on: 512-bit vectors ...} or {@code off: <reason and remedy>}. */
    public static String status() {
        return Decision.REASON;
    }

    /**
     * Compiles the vector kernels now and waits (about a second), so the next calls use them
     * whatever {@value #WARMUP_AFTER_PROPERTY} says: for benchmarks and long jobs that know they
     * will need them. Returns {@link #enabled()}; does nothing where SIMD is off.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public static boolean warmUpNow() throws InterruptedException {
        return VectorWarmup.awaitReady();
    }

    /** Values after which {@link VectorWarmup} starts. */
    static long warmupAfter() {
        return WARMUP_AFTER;
    }

    /**
     * Throws {@link IllegalArgumentException} naming the property when one is malformed, so a
     * typo is reported when a backend is created instead of silently changing the kernels.
     */
    static void checkProperty() {
        if (PROPERTY_ERROR != null) {
            throw new IllegalArgumentException(PROPERTY_ERROR);
        }
    }

    static boolean parseSwitch(String property) {
        String p = property.trim();
        if (p.equalsIgnoreCase("true") || p.equalsIgnoreCase("false")) {
            return p.equalsIgnoreCase("true");
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + property + ": expected true or false");
    }

    static long parseWarmupAfter(String property) {
        if (property == null || property.isBlank()) {
            return DEFAULT_WARMUP_AFTER;
        }
        try {
            long v = Long.parseLong(property.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + WARMUP_AFTER_PROPERTY + "=" + property + ": expected a count of values >= 0");
    }

    /**
     * Null when the vector kernels may run, else why not. The vector width is probed only when the
     * module is present, because touching the Vector API without it throws.
     */
    static String decide(boolean allowed, boolean modulePresent, IntSupplier vectorBits) {
        if (!allowed) {
            return PROPERTY_ERROR != null ? PROPERTY_ERROR : "-D" + PROPERTY + "=false";
        }
        if (!modulePresent) {
            return MODULE + " is not in this JVM (start java with --add-modules " + MODULE + " for the vector kernels)";
        }
        int bits;
        try {
            bits = vectorBits.getAsInt();
        } catch (RuntimeException | LinkageError e) {
            return "the Vector API failed to start: " + e;
        }
        if (bits < MIN_BITS || bits > MAX_BITS) {
            return "this CPU's widest vector is " + bits + " bits; the vector kernels need " + MIN_BITS + " or " + MAX_BITS;
        }
        return null;
    }

    /** Decided on first use: probing loads the Vector API, which a job that never needs it should not pay for. */
    private static final class Decision {
        static final boolean ENABLED;
        static final String REASON;

        static {
            String why = decide(ALLOWED, ModuleLayer.boot().findModule(MODULE).isPresent(), VectorWidth::preferredBits);
            ENABLED = why == null;
            REASON = ENABLED ? "on: " + VectorWidth.preferredBits() + "-bit vectors (" + MODULE + "), used after "
                    + WARMUP_AFTER + " values" : "off: " + why;
        }
    }
}
