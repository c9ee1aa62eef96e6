package dev.qvg.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dict of an npy header, parsed strictly as the Python literal it is: {@code {'descr': '<f4',
 * 'fortran_order': False, 'shape': (2, 3), }}. Only what NumPy's own reader can produce from
 * {@code ast.literal_eval} and then accept is taken: string keys, a string, a boolean, a
 * non-negative integer or a tuple of them as values (a one-element tuple needs its comma, as in Python), each key
 * once, optional trailing commas, spaces, tabs and newlines between tokens. Anything else (an
 * expression such as {@code __import__('os')}, junk after the dict, a list for the shape, a
 * duplicate key) is refused with the character where it goes wrong; a regular expression
 * would have found the three keys inside it.
 */
final class NpyHeaderDict {

    /** A refusal: what is wrong and where (0-based character index). */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private final String text;
    private int at;

    private NpyHeaderDict(String text) {
        this.text = text;
    }

    /** Keys to values: {@code String}, {@code Boolean}, {@code Long} or {@code long[]} (a tuple). */
    static Map<String, Object> parse(String text) throws Malformed {
        NpyHeaderDict p = new NpyHeaderDict(text);
        p.space();
        Map<String, Object> out = p.dict();
        p.space();
        if (p.at != text.length()) {
            throw p.error("unexpected text after the dict");
        }
        return out;
    }

    private Map<String, Object> dict() throws Malformed {
        expect('{');
        Map<String, Object> out = new LinkedHashMap<>();
        space();
        while (peek() != '}') {
            int keyAt = at;
            String key = string();
            space();
            expect(':');
            space();
            Object value = value();
            if (out.put(key, value) != null) {
                at = keyAt;
                throw error("key '" + key + "' given twice");
            }
            space();
            if (peek() == ',') {
                at++;
                space();
            } else if (peek() != '}') {
                throw error("expected ',' or '}'");
            }
        }
        at++;
        return out;
    }

    private Object value() throws Malformed {
        char c = peek();
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '(') {
            return tuple();
        }
        if (c >= '0' && c <= '9') {
            return integer(); // a literal NumPy would refuse the key of; parsed so the key is what gets named
        }
        if (text.startsWith("True", at) && !identifierAt(at + 4)) {
            at += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", at) && !identifierAt(at + 5)) {
            at += 5;
            return Boolean.FALSE;
        }
        throw error("expected a string, True, False, an integer or a tuple of integers");
    }

    private long[] tuple() throws Malformed {
        expect('(');
        space();
        List<Long> dims = new ArrayList<>();
        boolean comma = false;
        while (peek() != ')') {
            dims.add(integer());
            space();
            comma = false;
            if (peek() == ',') {
                at++;
                comma = true;
                space();
            } else if (peek() != ')') {
                throw error("expected ',' or ')' in the shape tuple");
            }
        }
        if (dims.size() == 1 && !comma) {
            throw error("(n) is an integer in parentheses, not a tuple: a one-element shape is written (n,)");
        }
        at++;
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i);
        }
        return out;
    }

    private long integer() throws Malformed {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        if (at == start) {
            throw error("expected a non-negative integer");
        }
        if (text.charAt(start) == '0' && at - start > 1) {
            at = start;
            throw error("an integer with a leading zero is not a Python literal");
        }
        if (identifierAt(at)) {
            throw error("expected a non-negative integer");
        }
        try {
            return Long.parseLong(text.substring(start, at));
        } catch (NumberFormatException e) {
            at = start;
            throw error("dimension " + text.substring(start, Math.min(text.length(), start + 30)) + " does not fit 64 bits");
        }
    }

    private String string() throws Malformed {
        char q = peek();
        if (q != '\'' && q != '"') {
            throw error("expected a quoted string");
        }
        int start = ++at;
        while (at < text.length() && text.charAt(at) != q) {
            char c = text.charAt(at);
            if (c == '\\' || c == '\n' || c == '\r') {
                throw error("escapes and line breaks are not allowed in an npy header string");
            }
            at++;
        }
        if (at == text.length()) {
            at = start - 1;
            throw error("string not closed");
        }
        return text.substring(start, at++);
    }

    private boolean identifierAt(int i) {
        return i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_');
    }

    private void space() {
        while (at < text.length() && " \t\n\r".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private char peek() throws Malformed {
        if (at >= text.length()) {
            throw error("the header ends inside the dict");
        }
        return text.charAt(at);
    }

    private void expect(char c) throws Malformed {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private Malformed error(String what) {
        int from = Math.max(0, at - 20), to = Math.min(text.length(), at + 20);
        return new Malformed(what + " at character " + at + " (near '" + text.substring(from, to) + "')");
    }
}
