package dev.qvg.api.spi;

/**
 * The settings of {@link dev.qvg.api.config.QuantizerConfig} that every method shares but not
 * every method reads. A method lists the ones it reads ({@link QuantizerProvider#settings()}), so
 * a front end can refuse a setting the chosen method would ignore (the stage count given to a
 * one-stage method, a block size given to a method that groups by its own knob) instead of
 * running something other than what the user asked for.
 */
public enum CoreSetting {
    /** Code bits per value. */
    BITS("--bits"),
    /** Block size along the head dim. */
    BLOCK_SIZE("--block"),
    /** Symmetric or asymmetric (zero-point) blocks. */
    SYMMETRIC("--asymmetric"),
    /** Precision of scales and zero points. */
    SCALE_PRECISION("--scale"),
    /** k-means: clusters, iterations, tolerance, seed, initialisation. */
    KMEANS("--clusters"),
    /** The number of smoothing stages. */
    STAGES("--stages");

    private final String flag;

    CoreSetting(String flag) {
        this.flag = flag;
    }

    /** The command-line option that sets it (k-means: the first of several). */
    public String flag() {
        return flag;
    }
}
