package dev.qvg.bench;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import java.util.stream.Collectors;

/**
 * Creates the backend a benchmark is parameterised by, with the worker count it asks for.
 *
 * <p>Names are registry names ({@code cpu}, {@code cuda}, ...) plus {@value #REFERENCE}, the
 * unregistered single-threaded {@link ReferenceBackend}, so a run can show what the fast
 * backends gain over the definition. The thread count is passed through the system property
 * {@value #THREADS_PROPERTY} that the {@code cpu} backend reads when it is created; JMH's own
 * {@code -t} would instead run several benchmark copies at once, which measures throughput
 * under contention rather than the speed-up of one call.
 */
public final class BenchBackends {

    public static final String REFERENCE = "reference";
    public static final String THREADS_PROPERTY = "qvg.cpu.threads";

    private BenchBackends() {
    }

    /** A new backend named {@code name} built with {@code threads} workers. */
    public static Backend create(String name, int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads: must be positive, got " + threads);
        }
        System.setProperty(THREADS_PROPERTY, Integer.toString(threads));
        // A backend may hand its products to OpenBLAS (the cpu backend does, through ND4J): its
        // threads count too, or "1 thread" would still use every core.
        BlasThreads.limit(threads);
        if (REFERENCE.equals(name)) {
            return new ReferenceBackend();
        }
        if ("cpu".equals(name)) {
            // Steady state: the cpu backend's SIMD kernels compiled before anything is timed
            // (a long job reaches the same state after its first billion values).
            try {
                dev.qvg.cpu.Simd.warmUpNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while warming up the SIMD kernels", e);
            }
        }
        return Qvg.backends().getAvailable(name).create();
    }

    /** Comma-separated names of the backends available here, for {@code -p backend=...}. */
    public static String availableNames() {
        return Qvg.backends().list().stream()
                .filter(p -> p.availability().available())
                .map(BackendProvider::name)
                .collect(Collectors.joining(","));
    }

    /**
     * Prints {@link #availableNames()}, which the report script passes to JMH; with {@code --simd},
     * whether the cpu backend's SIMD kernels run in this JVM ({@link dev.qvg.cpu.Simd#status()}).
     */
    public static void main(String[] args) {
        System.out.println(args.length > 0 && args[0].equals("--simd") ? dev.qvg.cpu.Simd.status() : availableNames());
    }
}
