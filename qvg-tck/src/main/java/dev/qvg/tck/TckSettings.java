package dev.qvg.tck;

import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * How one run of the kit is randomized and sized. Read from JUnit configuration parameters,
 * which JUnit also fills from system properties, so {@code -Dqvg.tck.seed=0x1F} works under
 * Maven and {@link ConformanceRunner} passes the same keys programmatically.
 *
 * <ul>
 *   <li>{@value #SEED}: the master seed, decimal or {@code 0x} hex. Absent: one random value per
 *       JVM, printed, so a failing run can be repeated exactly.</li>
 *   <li>{@value #MULTIPLIER}: scales the number of random cases and the random sizes (default 1;
 *       the nightly tier uses 4 or more).</li>
 * </ul>
 *
 * @param seed       master seed; every test derives its own from it and its name
 * @param multiplier size/repetition factor, at least 0.25
 * @param seedChosen whether the seed came from the user (not drawn at random)
 */
public record TckSettings(long seed, double multiplier, boolean seedChosen) {

    public static final String SEED = "qvg.tck.seed";
    public static final String MULTIPLIER = "qvg.tck.multiplier";

    /** Drawn once per JVM so every class of one run shares it and one rerun flag covers all. */
    private static final long RANDOM_DEFAULT_SEED = new SplittableRandom().nextLong();

    public TckSettings {
        if (!(multiplier >= 0.25 && multiplier <= 1000)) {
            throw new IllegalArgumentException(MULTIPLIER + ": must be in [0.25, 1000], got " + multiplier);
        }
    }

    /** Settings from a parameter lookup (JUnit's {@code getConfigurationParameter}, or system properties). */
    public static TckSettings from(Function<String, Optional<String>> lookup) {
        Optional<String> s = lookup.apply(SEED).filter(v -> !v.isBlank());
        long seed = s.map(TckSettings::parseSeed).orElse(RANDOM_DEFAULT_SEED);
        double mult = lookup.apply(MULTIPLIER).filter(v -> !v.isBlank()).map(v -> {
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(MULTIPLIER + ": not a number: '" + v + "'", e);
            }
        }).orElse(1.0);
        return new TckSettings(seed, mult, s.isPresent());
    }

    /** Settings from system properties only. */
    public static TckSettings fromSystemProperties() {
        return from(k -> Optional.ofNullable(System.getProperty(k)));
    }

    /** Accepts decimal ({@code -42}) or hex ({@code 0x2A}, the printed form, full 64 bits). */
    public static long parseSeed(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("0x")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED + ": not a decimal or 0x-hex long: '" + text + "'", e);
        }
    }

    /** The seed as printed and as accepted back: {@code 0x} and 16 hex digits. */
    public static String formatSeed(long seed) {
        return String.format(Locale.ROOT, "0x%016X", seed);
    }

    /** {@code n} scaled by the multiplier, at least 1. */
    public int scaled(int n) {
        return (int) Math.max(1, Math.round(n * multiplier));
    }

    /** The flag that repeats this run. */
    public String rerunFlag() {
        return "-D" + SEED + "=" + formatSeed(seed) + (multiplier == 1.0 ? "" : " -D" + MULTIPLIER + "=" + multiplier);
    }
}
