package dev.qvg.api.config;

/**
 * Derives independent seeds for sub-tasks (stage, slice, ...) from one user seed, so results
 * do not depend on the order or thread in which sub-tasks run. SplitMix64 finalizer.
 */
public final class Seeds {

    private Seeds() {
    }

    public static long derive(long seed, long... keys) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (long k : keys) {
            h = mix(h ^ mix(k + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
