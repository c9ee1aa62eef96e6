package dev.qvg.api.reference;

/**
 * The random generator of k-means initialisation: SplitMix64 (Steele, Lea and Flood, 2014)
 * written out here, with its bounded and floating-point draws, so that the sequence a seed gives
 * is fixed by this file and never by the JDK's version ({@code java.util.SplittableRandom} does
 * not promise its bounded-draw algorithm across releases). Not thread-safe: each slice owns one.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Uniform in {@code [0, bound)}: a 63-bit draw reduced modulo {@code bound}, redrawn when it
     * falls in the incomplete last interval (so every value is exactly equally likely).
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound: must be positive, got " + bound);
        }
        while (true) {
            long u = nextLong() >>> 1;
            long r = u % bound;
            if (u - r + (bound - 1) >= 0) {
                return (int) r;
            }
        }
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
