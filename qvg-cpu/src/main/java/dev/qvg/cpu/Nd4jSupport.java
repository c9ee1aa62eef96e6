package dev.qvg.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether ND4J (OpenBLAS) loads here, decided once on first use. Loading can fail where the
 * native library is missing or the CPU lacks AVX2; the backend then uses its pure-Java path and
 * says so in one line on standard error.
 */
final class Nd4jSupport {

    /** System property: {@code false} keeps ND4J unloaded and every assignment in pure Java. */
    static final String ENABLED_PROPERTY = "qvg.cpu.nd4j";

    private Nd4jSupport() {
    }

    /** True when ND4J loaded and passed a 2 x 2 GEMM self-check. */
    static boolean available() {
        return Holder.AVAILABLE;
    }

    /** Why ND4J is not used, or "available". */
    static String reason() {
        return Holder.REASON;
    }

    static boolean enabledByProperty() {
        return !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").trim());
    }

    private static final class Holder {
        static final boolean AVAILABLE;
        static final String REASON;

        static {
            boolean ok = false;
            String reason;
            if (!enabledByProperty()) {
                reason = "disabled by -D" + ENABLED_PROPERTY + "=false";
            } else {
                // ND4J logs its start-up banner at info through SLF4J; keep slf4j-simple at warn
                // unless the application configured it.
                System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
                try {
                    INDArray a = Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2}, 'c');
                    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {2, 2}, 'c');
                    Nd4j.gemm(a, a, out, false, true, 1.0, 0.0);
                    float[] r = out.data().asFloat();
                    // [1 2; 3 4] times its transpose = [5 11; 11 25]
                    ok = r[0] == 5f && r[1] == 11f && r[2] == 11f && r[3] == 25f;
                    reason = ok ? "available" : "GEMM self-check gave " + java.util.Arrays.toString(r);
                } catch (Throwable t) {
                    // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError...:
                    // any failure to load means the pure-Java path.
                    reason = t.getClass().getSimpleName() + ": " + t.getMessage();
                }
                if (!ok) {
                    System.err.println("qvg-cpu: ND4J unavailable (" + reason.replace('\n', ' ')
                            + "); k-means assignment uses the pure-Java path");
                }
            }
            AVAILABLE = ok;
            REASON = reason;
        }
    }
}
