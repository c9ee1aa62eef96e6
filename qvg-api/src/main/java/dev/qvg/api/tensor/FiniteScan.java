package dev.qvg.api.tensor;

import java.util.stream.IntStream;

/**
 * Whether float data holds only finite values: the quick yes/no every input check starts with.
 * Callers that find a non-finite value scan again in order to name the first one in their own
 * terms (tensor index, slice and token, file coordinates).
 */
public final class FiniteScan {

    /** Floats per parallel chunk: large enough that the fork/join overhead is noise. */
    private static final int CHUNK = 1 << 20;

    private FiniteScan() {
    }

    /** Whether {@code a[from, from + n)} are all finite. */
    public static boolean all(float[] a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code a[0, n)} are all finite, scanned on the common fork/join pool in chunks when
     * {@code n} is large (an input check reads the whole tensor before any work; on 2 cores a
     * serial scan was a measurable part of a layer's wall time).
     */
    public static boolean allParallel(float[] a, int n) {
        if (n <= CHUNK) {
            return all(a, 0, n);
        }
        return IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel()
                .allMatch(c -> all(a, c * CHUNK, Math.min(n, (c + 1) * CHUNK) - c * CHUNK));
    }
}
