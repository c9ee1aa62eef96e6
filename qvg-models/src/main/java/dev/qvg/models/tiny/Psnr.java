package dev.qvg.models.tiny;

/** Peak signal-to-noise ratio of images with values in [0, 1]. */
public final class Psnr {

    private Psnr() {
    }

    /** {@code 10 log10(1 / MSE)}; positive infinity when the images are identical. */
    public static double of(float[] reference, float[] other) {
        if (reference.length != other.length || reference.length == 0) {
            throw new IllegalArgumentException("psnr: images of " + reference.length + " and " + other.length
                    + " values");
        }
        double se = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = reference[i] - other[i];
            se += d * d;
        }
        return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(reference.length / se);
    }
}
