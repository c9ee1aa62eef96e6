package dev.qvg.spark;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Where a tensor sits in a study: its prompt and its layer, read from the file's path relative to
 * the input folder and the tensor's name, as the string {@code <relative path>#<tensor>} (for
 * example {@code prompt-017/layer_03.safetensors#k} or {@code dump.safetensors#layers.3.k}).
 *
 * <p>With {@code --pattern REGEX} the user's regular expression is searched in that string and
 * its named groups {@code layer} (digits) and {@code prompt} give the fields; a tensor whose
 * string does not match is reported and skipped. By default:
 * <ol>
 *   <li>layer: the last number written after {@code layer}, {@code layers}, {@code block},
 *       {@code blocks}, {@code blk} or {@code l} (any case, then an optional {@code .}, {@code _}
 *       or {@code -}) anywhere in the string; none when there is no such number;</li>
 *   <li>prompt: the folder of the file relative to the input folder ({@code prompt-017}, or
 *       {@code a/b} for deeper ones); none for a file directly in the input folder.</li>
 * </ol>
 */
final class PathFields implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Pattern DEFAULT_LAYER = Pattern.compile("(?i)(?<![a-z])(?:layers?|blocks?|blk|l)[._-]?(\\d+)");

    /** A tensor's place in the study; {@code layer} is null when unknown, {@code prompt} is null when unknown. */
    record Fields(String prompt, Integer layer) implements Serializable {
    }

    /** Thrown for a tensor the user's pattern does not describe (reported as a skipped tensor). */
    static final class NoMatch extends Exception {
        private static final long serialVersionUID = 1L;

        NoMatch(String message) {
            super(message);
        }
    }

    private final String userPattern;
    private transient Pattern compiled;

    private PathFields(String userPattern) {
        this.userPattern = userPattern;
    }

    /** The default rules (class comment). */
    static PathFields defaults() {
        return new PathFields(null);
    }

    /**
     * The user's pattern: a Java regular expression with a named group {@code layer}, {@code prompt}
     * or both.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    static PathFields pattern(String regex) {
        Objects.requireNonNull(regex, "regex");
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--pattern: not a regular expression: " + e.getDescription() + " near index "
                    + e.getIndex() + " of '" + regex + "'");
        }
        boolean layer = regex.contains("(?<layer>"), prompt = regex.contains("(?<prompt>");
        if (!layer && !prompt) {
            throw new IllegalArgumentException("--pattern: needs a named group (?<layer>...) or (?<prompt>...) (or both),"
                    + " got '" + regex + "'");
        }
        PathFields f = new PathFields(regex);
        f.compiled = p;
        return f;
    }

    /** The user's pattern, or null for the defaults. */
    String userPattern() {
        return userPattern;
    }

    /** The fields of tensor {@code tensor} of the file at {@code relativePath} (with {@code /} separators). */
    Fields of(String relativePath, String tensor) throws NoMatch {
        String subject = relativePath + "#" + tensor;
        if (userPattern == null) {
            Matcher m = DEFAULT_LAYER.matcher(subject);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            // at most 9 digits fit an int; a longer run is not a layer number
            Integer layer = last == null || last.length() > 9 ? null : Integer.valueOf(last);
            int slash = relativePath.lastIndexOf('/');
            return new Fields(slash < 0 ? null : relativePath.substring(0, slash), layer);
        }
        if (compiled == null) {
            compiled = Pattern.compile(userPattern);
        }
        Matcher m = compiled.matcher(subject);
        if (!m.find()) {
            throw new NoMatch("'" + subject + "' does not match --pattern '" + userPattern + "'");
        }
        String prompt = group(m, "prompt");
        String layerText = group(m, "layer");
        Integer layer = null;
        if (layerText != null) {
            if (!layerText.matches("\\d{1,9}")) {
                throw new NoMatch("--pattern's layer group matched '" + layerText + "' in '" + subject
                        + "', expected a number");
            }
            layer = Integer.parseInt(layerText);
        }
        return new Fields(prompt, layer);
    }

    private static String group(Matcher m, String name) {
        try {
            return m.group(name);
        } catch (IllegalArgumentException absent) {
            return null;
        }
    }

    @Override
    public String toString() {
        return userPattern == null ? "default (layer: after layer/block/blk/l; prompt: the folder)" : userPattern;
    }

    /** {@code prompt p1, layer 3}, or what is known of it; empty when nothing is. */
    static String describe(Fields f) {
        return (f.prompt() == null ? "" : "prompt " + f.prompt()) + (f.prompt() != null && f.layer() != null ? ", " : "")
                + (f.layer() == null ? "" : "layer " + f.layer());
    }
}
