package dev.qvg.io;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names and keys of the entries of a quantized-cache file. An entry has a <em>name</em>, the name
 * its tensor had ({@code layers.0.self_attn.k}: any printable text), and a <em>key</em>, the
 * identifier its component tensors and metadata are named by ({@code KEY.codes}, {@code KEY.shape};
 * {@code [A-Za-z0-9_]{1,64}}, so a key never contains the dots that separate those parts, and is
 * safe as a file name). The key is the name itself when the name is a key not yet used in the
 * file; otherwise it is the name with every other character replaced by {@code _}, cut to 64
 * characters, with {@code _2}, {@code _3}, ... appended until it is unused, and the name is
 * recorded as metadata {@code KEY.name}. Files written before names existed hold keys only and
 * read back with name = key.
 *
 * <p>Names are data from the user's files, so they are checked before they are written or read:
 * 1 to {@value #MAX_NAME_LENGTH} characters, no control, formatting or line-separator characters
 * (a newline would forge lines of the header digest's text and of the command's output; bidi
 * controls can disguise a name on a terminal), no unpaired surrogate, not {@code __metadata__}
 * (safetensors' reserved name, which a decompressed file would need). qvg never uses a name as a
 * path; tools that write a file per entry use the key.
 */
public final class EntryNames {

    /** Longest name, in UTF-16 characters. */
    public static final int MAX_NAME_LENGTH = 1024;

    /** Longest key. */
    public static final int MAX_KEY_LENGTH = 64;

    /** Metadata suffix of an entry's name: {@code KEY.name}. */
    static final String NAME_SUFFIX = ".name";

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_]{1," + MAX_KEY_LENGTH + "}");

    private EntryNames() {
    }

    /** Whether {@code s} can be a key: 1-64 of {@code [A-Za-z0-9_]}. */
    public static boolean isKey(String s) {
        return s != null && KEY.matcher(s).matches();
    }

    /** Why {@code name} cannot name an entry, or null when it can. */
    public static String problem(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "it has " + name.length() + " characters, more than " + MAX_NAME_LENGTH;
        }
        if (name.equals("__metadata__")) {
            return "'__metadata__' is reserved by safetensors for the header's metadata";
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (!printable(cp)) {
                return "it holds " + String.format(Locale.ROOT, "U+%04X", cp) + " (" + kind(cp) + "); a name must be printable text";
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    /** Refuses a name {@link #problem} objects to ({@link IllegalArgumentException}, the name quoted and escaped). */
    public static void requireValid(String name) {
        String why = problem(name);
        if (why != null) {
            throw new IllegalArgumentException("entry name " + quote(name) + " is not allowed: " + why);
        }
    }

    /**
     * The key for entry {@code name} in a file whose entries already use the keys {@code taken}
     * (see the class comment); deterministic, so the same names in the same order give the same
     * keys (and bytes).
     */
    public static String keyFor(String name, Set<String> taken) {
        requireValid(name);
        if (isKey(name) && !taken.contains(name)) {
            return name;
        }
        StringBuilder b = new StringBuilder();
        name.codePoints().limit(MAX_KEY_LENGTH).forEach(cp -> b.append(safe(cp) ? (char) cp : '_'));
        String base = b.toString();
        if (!taken.contains(base)) {
            return base;
        }
        for (int i = 2; ; i++) {
            String suffix = "_" + i;
            String k = base.substring(0, Math.min(base.length(), MAX_KEY_LENGTH - suffix.length())) + suffix;
            if (!taken.contains(k)) {
                return k;
            }
        }
    }

    /**
     * {@code s} for a message or a line of output: as it is when every character is printable
     * (and it has no leading or trailing space), else in double quotes with Java escapes
     * ({@code \n}, {@code \u202E}, ...) so it stays on one line and shows what it holds.
     */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        boolean plain = !s.isEmpty() && !s.isBlank() && s.strip().equals(s) && s.indexOf('"') < 0 && s.indexOf('\\') < 0;
        for (int i = 0; plain && i < s.length(); ) {
            int cp = s.codePointAt(i);
            plain = printable(cp);
            i += Character.charCount(cp);
        }
        return plain ? s : quote(s);
    }

    /** {@code s} in double quotes, with quotes, backslashes and every non-printable character escaped. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            if (cp == '"' || cp == '\\') {
                b.append('\\').append((char) cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (!printable(cp)) {
                for (int j = i; j < i + n; j++) {
                    b.append(String.format(Locale.ROOT, "\\u%04X", (int) s.charAt(j)));
                }
            } else {
                b.appendCodePoint(cp);
            }
            i += n;
        }
        return b.append('"').toString();
    }

    private static boolean safe(int cp) {
        return cp < 128 && (Character.isLetterOrDigit(cp) || cp == '_');
    }

    private static boolean printable(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
                return false;
            default:
                return true;
        }
    }

    private static String kind(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL: return "a control character";
            case Character.FORMAT: return "an invisible formatting character";
            case Character.SURROGATE: return "half of a surrogate pair";
            default: return "a line or paragraph separator";
        }
    }
}
