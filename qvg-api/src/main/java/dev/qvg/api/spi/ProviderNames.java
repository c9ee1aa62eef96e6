package dev.qvg.api.spi;

import java.util.regex.Pattern;

/**
 * The one rule for provider names: ASCII letters and digits, with single '-' between words
 * (e.g. {@code cpu}, {@code rtn-clip}), at most 64 characters. Names are compared exactly.
 */
public final class ProviderNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]+(-[A-Za-z0-9]+)*");

    private ProviderNames() {
    }

    /** Returns {@code name} or throws naming {@code what} and the rule. */
    public static String check(String what, String name) {
        if (name == null || name.length() > 64 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + ": invalid provider name '" + name
                    + "': use ASCII letters and digits with single '-' between words, at most 64 characters");
        }
        return name;
    }
}
