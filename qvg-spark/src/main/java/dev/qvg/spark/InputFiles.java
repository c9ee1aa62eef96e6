package dev.qvg.spark;

import dev.qvg.cli.util.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files a sweep reads, from its {@code --input} arguments: a folder (every {@code .safetensors}
 * and {@code .npy} file under it, hidden files and folders left out), a single file, or a glob
 * ({@code dumps/*}{@code /layer_*.safetensors}: the part before the first component with a glob
 * character is the folder the rest is matched against). Files are listed in argument order, then
 * by relative path, each once (by real path); the output folder (and {@code --compress}'s) is never
 * an input.
 */
final class InputFiles {

    private InputFiles() {
    }

    /** The input files of {@code inputs}, leaving out every file under one of the folders {@code outs}. */
    static List<InputFile> list(List<String> inputs, Path... outs) {
        List<InputFile> files = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        List<Path> outReal = new ArrayList<>();
        for (Path o : outs) {
            outReal.add(realOrNull(o));
        }
        for (String input : inputs) {
            List<Path[]> found = new ArrayList<>(); // {file, base}
            Path shownBase;
            int glob = firstGlobComponent(input);
            if (glob >= 0) {
                Path base = glob == 0 ? Path.of("") : Path.of(input.substring(0, glob));
                String rest = input.substring(glob);
                if (!Files.isDirectory(base)) {
                    throw new BadInputException("--input " + input + ": no such folder: " + (glob == 0 ? "." : base));
                }
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rest);
                shownBase = base;
                walk(base, outReal, f -> m.matches(base.relativize(f)), found);
                if (found.isEmpty()) {
                    throw new BadInputException("--input " + input + ": the pattern matches no file");
                }
            } else {
                Path p = Path.of(input);
                shownBase = Files.isDirectory(p) ? p : p.getParent() == null ? Path.of("") : p.getParent();
                if (Files.isDirectory(p)) {
                    walk(p, outReal, InputFiles::isKvFileName, found);
                    if (found.isEmpty()) {
                        throw new BadInputException("--input " + input + ": no .safetensors or .npy file in the folder");
                    }
                } else if (Files.isRegularFile(p)) {
                    found.add(new Path[] {p, p.toAbsolutePath().getParent()});
                } else {
                    throw new BadInputException("--input " + input + ": no such file or folder");
                }
            }
            found.sort((a, b) -> rel(a).compareTo(rel(b)));
            for (Path[] fb : found) {
                Path real = realOrNull(fb[0]);
                if (real == null || !seen.add(real)) {
                    continue;
                }
                try {
                    BasicFileAttributes attrs = Files.readAttributes(fb[0], BasicFileAttributes.class);
                    String rel = rel(fb);
                    files.add(new InputFile(files.size(), fb[0].toAbsolutePath().normalize().toString(), rel,
                            shownBase.resolve(rel).toString().replace(java.io.File.separatorChar, '/'), attrs.size(),
                            attrs.lastModifiedTime().toMillis()));
                } catch (IOException e) {
                    throw new BadInputException("--input: cannot read " + fb[0] + ": " + e.getMessage(), e);
                }
            }
        }
        return List.copyOf(files);
    }

    static boolean isKvFileName(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".safetensors") || n.endsWith(".npy");
    }

    /** The path of {@code {file, base}} relative to base, with {@code /} separators. */
    private static String rel(Path[] fb) {
        Path base = fb[1].toAbsolutePath().normalize();
        Path file = fb[0].toAbsolutePath().normalize();
        return base.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    private static void walk(Path base, List<Path> outReal, java.util.function.Predicate<Path> take, List<Path[]> found) {
        try (Stream<Path> s = Files.walk(base)) {
            s.filter(f -> !f.equals(base))
                    .filter(f -> !hidden(base, f))
                    .filter(f -> outReal.stream().noneMatch(o -> o != null && f.toAbsolutePath().normalize().startsWith(o)))
                    .filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(f))
                    .filter(take)
                    .forEach(f -> found.add(new Path[] {f, base}));
        } catch (IOException | UncheckedIOException e) {
            throw new BadInputException("--input " + base + ": cannot list it: " + e.getMessage(), e);
        }
    }

    /** A file or folder under base whose name starts with a dot (editor files, our own temporary files). */
    private static boolean hidden(Path base, Path f) {
        for (Path part : base.relativize(f)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Index in {@code s} of the start of the first path component holding a glob character, or -1. */
    static int firstGlobComponent(String s) {
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/') {
                start = i + 1;
            } else if (c == '*' || c == '?' || c == '[' || c == '{') {
                return start;
            }
        }
        return -1;
    }

    private static Path realOrNull(Path p) {
        try {
            return p == null || !Files.exists(p) ? (p == null ? null : p.toAbsolutePath().normalize()) : p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
