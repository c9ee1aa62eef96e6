package dev.qvg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A backend or method author compiles against qvg-api alone (issue 17): this module's classes
 * refer to nothing outside the JDK and itself, and Guice is not even on its class path (the
 * assembly lives in qvg-inject). The pom's enforcer rule bans any non-test dependency; this
 * checks the compiled classes, which a dependency arriving another way would show in.
 */
class NoDependenciesTest {

    /** Packages qvg-api's classes may name: the JDK and its own. */
    private static final List<String> ALLOWED = List.of("java/", "javax/", "jdk/", "sun/", "dev/qvg/api/");

    @Test
    void guiceIsNotOnTheClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.google.inject.Guice"),
                "qvg-api must not bring Guice: the assembly belongs in qvg-inject");
    }

    @Test
    void everyClassRefersOnlyToTheJdkAndQvgApi() throws IOException, URISyntaxException {
        Path where = Path.of(Args.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> bad = new ArrayList<>();
        int classes = 0;
        if (Files.isDirectory(where)) {
            try (Stream<Path> s = Files.walk(where)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList()) {
                    classes++;
                    check(where.relativize(p).toString(), Files.readAllBytes(p), bad);
                }
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                for (JarEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                    classes++;
                    try (InputStream in = jar.getInputStream(e)) {
                        check(e.getName(), in.readAllBytes(), bad);
                    }
                }
            }
        }
        assertTrue(classes > 50, "expected qvg-api's classes under " + where + ", found " + classes);
        assertEquals(List.of(), bad, "classes of qvg-api naming types outside the JDK and qvg-api");
    }

    /** Adds to {@code bad} every class name in {@code bytes}' constant pool outside {@link #ALLOWED}. */
    private static void check(String file, byte[] bytes, List<String> bad) {
        for (String name : classNames(bytes)) {
            if (ALLOWED.stream().noneMatch(name::startsWith)) {
                bad.add(file + " -> " + name);
            }
        }
    }

    /**
     * The internal names a class file refers to: its CONSTANT_Class entries, and the types inside
     * descriptors and signatures (an annotation or a field type appears only there).
     */
    static List<String> classNames(byte[] b) {
        List<String> utf8 = new ArrayList<>();
        List<Integer> classIndexes = new ArrayList<>();
        int count = u2(b, 8);
        String[] pool = new String[count];
        int i = 10;
        for (int k = 1; k < count; k++) {
            int tag = b[i] & 0xff;
            switch (tag) {
                case 1 -> { // Utf8
                    int len = u2(b, i + 1);
                    pool[k] = new String(b, i + 3, len, StandardCharsets.UTF_8); // modified UTF-8: fine for names
                    utf8.add(pool[k]);
                    i += 3 + len;
                }
                case 7 -> { // Class
                    classIndexes.add(u2(b, i + 1));
                    i += 3;
                }
                case 8, 16, 19, 20 -> i += 3; // String, MethodType, Module, Package
                case 15 -> i += 4; // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> i += 5;
                case 5, 6 -> { // Long, Double take two slots
                    i += 9;
                    k++;
                }
                default -> throw new IllegalStateException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        List<String> names = new ArrayList<>();
        for (int idx : classIndexes) {
            String n = pool[idx].replaceAll("^\\[+", ""); // an array class: [I, [[Lsome/Type;
            if (!pool[idx].startsWith("[")) {
                names.add(n);
            } else if (n.startsWith("L")) {
                names.add(n.substring(1, n.length() - 1));
            }
        }
        for (String s : utf8) { // descriptors and signatures: Lsome/Type; or Lsome/Type<
            int at = 0;
            while ((at = s.indexOf('L', at)) >= 0) {
                int end = at + 1;
                while (end < s.length() && s.charAt(end) != ';' && s.charAt(end) != '<') {
                    char c = s.charAt(end);
                    if (!(Character.isJavaIdentifierPart(c) || c == '/' || c == '$')) {
                        break;
                    }
                    end++;
                }
                if (end < s.length() && (s.charAt(end) == ';' || s.charAt(end) == '<')
                        && s.substring(at + 1, end).contains("/") && (at == 0 || "([;<):+-*^BCDFIJSZV".indexOf(s.charAt(at - 1)) >= 0)) {
                    names.add(s.substring(at + 1, end));
                }
                at = end;
            }
        }
        return names;
    }

    private static int u2(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
}
