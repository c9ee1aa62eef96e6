package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvRole;
import java.util.Locale;

/**
 * Guesses whether a tensor holds keys or values from its name, as dumped by common code:
 * {@code k}, {@code key}, {@code keys}, {@code k_cache}, {@code layers.3.k}, {@code past_key}...
 * A name that says neither counts as keys (only KIVI treats the two differently); the CLI's
 * {@code --role} overrides the guess.
 */
public final class Roles {

    private Roles() {
    }

    public static KvRole guess(String tensorName) {
        String[] parts = tensorName.toLowerCase(Locale.ROOT).split("[^a-z0-9]+");
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i];
            if (p.equals("v") || p.equals("value") || p.equals("values") || p.equals("vcache") || p.equals("vs")) {
                return KvRole.VALUE;
            }
            if (p.equals("k") || p.equals("key") || p.equals("keys") || p.equals("kcache") || p.equals("ks")) {
                return KvRole.KEY;
            }
        }
        return KvRole.KEY;
    }
}
