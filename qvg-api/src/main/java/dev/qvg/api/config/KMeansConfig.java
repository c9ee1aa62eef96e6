package dev.qvg.api.config;

/**
 * Batched k-means settings (spec section 3). {@code tol} is the fraction of rows whose
 * assignment changed below which a slice stops; {@code seed} feeds a generator of its own,
 * never a global one.
 */
public record KMeansConfig(int clusters, int maxIters, double tol, long seed, KMeansInit init) {

    /** Ids are stored in 8 bits up to this many clusters, in 16 bits beyond. */
    public static final int MAX_CLUSTERS = 65536;

    public KMeansConfig {
        if (clusters < 1 || clusters > MAX_CLUSTERS) {
            throw new IllegalArgumentException("clusters: must be in 1.." + MAX_CLUSTERS + ", got " + clusters);
        }
        if (maxIters < 1) {
            throw new IllegalArgumentException("maxIters: must be at least 1, got " + maxIters);
        }
        if (!(tol >= 0 && tol <= 1)) {
            throw new IllegalArgumentException("tol: must be a fraction in [0, 1], got " + tol);
        }
        if (init == null) {
            throw new IllegalArgumentException("init: must not be null");
        }
    }

    /** The published setting: 256 clusters, 100 iterations, tol 1e-4, random init, seed 0. */
    public static KMeansConfig published() {
        return new KMeansConfig(256, 100, 1e-4, 0L, KMeansInit.RANDOM);
    }

    /** Bits per stored id: 8 when {@code clusters <= 256}, else 16. */
    public int idBits() {
        return clusters <= 256 ? 8 : 16;
    }

    public KMeansConfig withClusters(int k) {
        return new KMeansConfig(k, maxIters, tol, seed, init);
    }

    public KMeansConfig withMaxIters(int n) {
        return new KMeansConfig(clusters, n, tol, seed, init);
    }

    public KMeansConfig withSeed(long s) {
        return new KMeansConfig(clusters, maxIters, tol, s, init);
    }

    public KMeansConfig withInit(KMeansInit i) {
        return new KMeansConfig(clusters, maxIters, tol, seed, i);
    }
}
