package dev.qvg.cpu;

/**
 * Whether the CPU backend runs its vector (SIMD) block kernels, {@link VectorBlockKernels}, and
 * why not when it does not. Decided once per JVM; both paths give the same bits, so the choice
 * changes speed only.
 *
 * <p>The vector kernels use the JDK's incubating Vector API, which a JVM offers only when started
 * with {@code --add-modules jdk.incubator.vector} (the {@code ./qvg} launcher, the test runner and
 * the benchmarks do so). Without it, with {@code -D}{@value #PROPERTY}{@code =false}, or where the
 * CPU's widest vector holds fewer than 8 floats, the scalar {@link BlockKernels} run instead.
 * CPUs whose widest vector is neither 256 nor 512 bits also run the scalar kernels.
 */
public final class Simd {

    /** System property that turns the vector kernels off ({@code false}); default on. */
    public static final String PROPERTY = "qvg.cpu.simd";
    static final String MODULE = "jdk.incubator.vector";
    /**
     * The kernels read a vector's INT2 codes as one short (256 bits) or int (512 bits) of packed
     * bytes; 128-bit vectors would gain little, and wider ones need another unpacking.
     */
    static final int MIN_BITS = 256;
    static final int MAX_BITS = 512;

    private static final String REASON;
    private static final boolean ENABLED;
    /** Set when the property holds neither true nor false; {@link #checkProperty()} reports it. */
    private static final String PROPERTY_ERROR;

    static {
        String why, error = null;
        try {
            why = decide(System.getProperty(PROPERTY, "true"),
                    ModuleLayer.boot().findModule(MODULE).isPresent(), Simd::probeVectorBits);
        } catch (IllegalArgumentException e) {
            why = error = e.getMessage();
        }
        PROPERTY_ERROR = error;
        ENABLED = why == null;
        REASON = ENABLED ? "on: " + probeVectorBits() + "-bit vectors (" + MODULE + ")" : "off: " + why;
    }

    private Simd() {
    }

    /** True when the vector kernels run in this JVM. */
    public static boolean enabled() {
        return ENABLED;
    }

    /**
     * Throws {@link IllegalArgumentException} naming the property when it holds neither
     * {@code true} nor {@code false}, so a typo is reported when a backend is created instead of
     * silently running the scalar kernels.
     */
    static void checkProperty() {
        if (PROPERTY_ERROR != null) {
            throw new IllegalArgumentException(PROPERTY_ERROR);
        }
    }

    /** One line for users: {@code on: 512-bit vectors ...} or {@code off: <reason and remedy>}. */
    public static String status() {
        return REASON;
    }

    /**
     * Null when the vector kernels may run, else why not. The vector width is probed only when the
     * module is present, because touching the Vector API without it throws.
     */
    static String decide(String property, boolean modulePresent, java.util.function.IntSupplier vectorBits) {
        String p = property.trim();
        if (p.equalsIgnoreCase("false")) {
            return "-D" + PROPERTY + "=false";
        }
        if (!p.equalsIgnoreCase("true")) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + property + ": expected true or false");
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

    /** Loads only a one-method class, so a too narrow CPU never initialises the kernels. */
    private static int probeVectorBits() {
        return VectorWidth.preferredBits();
    }
}
