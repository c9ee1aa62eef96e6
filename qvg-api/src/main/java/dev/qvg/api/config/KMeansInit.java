package dev.qvg.api.config;

import java.util.Locale;

/** How k-means picks its first centroids. */
public enum KMeansInit {
    /** K rows drawn uniformly at random with replacement (the original's default). */
    RANDOM,
    /** k-means++ seeding (D^2 sampling); worth it on the very unbalanced clusters of real video. */
    KMEANS_PLUS_PLUS;

    /** The name the command line takes and JSON documents write: {@code random} or {@code kmeans++}. */
    public String cliName() {
        return this == RANDOM ? "random" : "kmeans++";
    }

    public static KMeansInit parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        switch (t) {
            case "random": return RANDOM;
            case "kmeans++": case "kmeans_plus_plus": case "kmeanspp": case "++": return KMEANS_PLUS_PLUS;
            default: throw new IllegalArgumentException("init: unknown value '" + text + "', expected random or kmeans++");
        }
    }
}
