package dev.qvg.smoothing;

import dev.qvg.api.spi.Clusterer;
import dev.qvg.api.spi.ClustererProvider;
import java.util.Set;

/** Registers {@link KMeansClusterer} as {@code kmeans}. */
public final class KMeansClustererProvider implements ClustererProvider {

    public static final String NAME = "kmeans";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "batched Lloyd k-means, per-slice convergence on changed-assignment fraction (spec section 3)";
    }

    @Override
    public Set<String> capabilities() {
        return Set.of("init=random,kmeans++", "warm-start");
    }

    @Override
    public Clusterer create() {
        return new KMeansClusterer();
    }
}
