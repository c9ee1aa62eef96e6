package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.cli.util.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A sweep's output folder. {@code sweep.json} records what the sweep is (its files with their
 * sizes and modification times, tensors, layout, role, pattern, slices per task, and every
 * configuration), {@code configs.json} the configurations in qvg's config-file format, and
 * {@code units/} one result file per finished work unit. Running a sweep into a folder:
 * <ol>
 *   <li>that does not exist or is empty: starts it;</li>
 *   <li>that holds the same sweep: resumes it, computing only the units without a result file
 *       (a finished sweep only rewrites its reports);</li>
 *   <li>that holds another sweep (other files, a file changed since, other settings): refused,
 *       naming the first difference and the fix (a new {@code --out}, or delete the folder);</li>
 *   <li>that holds anything else: refused.</li>
 * </ol>
 * One sweep writes a folder at a time ({@code .lock}, with the writer's pid and host; a lock left
 * by a process that is gone from this host is taken over).
 */
final class OutputFolder implements AutoCloseable {

    static final String MANIFEST = "sweep.json";
    static final String LOCK = ".lock";
    static final String UNITS = "units";
    /** The units' quantized slices for {@code --compress} ({@link UnitPart}). */
    static final String PARTS = "parts";
    static final String FORMAT = "qvg-sweep/1";

    private final Path dir;
    private final boolean resumed;
    private final Thread releaser;

    private OutputFolder(Path dir, boolean resumed) {
        this.dir = dir;
        this.resumed = resumed;
        this.releaser = new Thread(this::release, "qvg-sweep-unlock");
        Runtime.getRuntime().addShutdownHook(releaser);
    }

    Path dir() {
        return dir;
    }

    /** Whether an earlier run of the same sweep had started this folder. */
    boolean resumed() {
        return resumed;
    }

    /**
     * Opens {@code dir} for the sweep {@code definition} (see the class comment), taking its lock
     * and recording the definition.
     *
     * @throws BadInputException naming why the folder cannot be used, and what to do
     */
    static OutputFolder open(Path dir, ObjectNode definition) throws IOException {
        dir = dir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--out " + dir + " is a file, expected a folder");
        }
        Files.createDirectories(dir);
        lock(dir);
        try {
            boolean resumed = false;
            Path manifest = dir.resolve(MANIFEST);
            if (Files.exists(manifest)) {
                JsonNode old;
                try {
                    old = Json.MAPPER.readTree(manifest.toFile());
                } catch (IOException e) {
                    throw new BadInputException("--out " + dir + ": its " + MANIFEST + " is unreadable (" + e.getMessage()
                            + "); give a new --out, or delete the folder to start over");
                }
                // numbers as read back from text (an int where a long was written), so equal values compare equal
                String diff = difference(old, Json.read(Json.write(definition)));
                if (diff != null) {
                    throw new BadInputException("--out " + dir + " holds a different sweep: " + diff
                            + "; give a new --out, or delete the folder to start this sweep over");
                }
                resumed = true;
            } else if (hasEntriesOtherThanLock(dir)) {
                throw new BadInputException("--out " + dir + " is not empty and holds no sweep (no " + MANIFEST
                        + "); give a new or empty folder");
            } else {
                Path tmp = dir.resolve("." + MANIFEST + ".tmp");
                Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(definition) + "\n",
                        StandardCharsets.UTF_8);
                Files.move(tmp, manifest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.createDirectories(dir.resolve(UNITS));
            return new OutputFolder(dir, resumed);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir.resolve(LOCK));
            throw e;
        }
    }

    /** The first difference between two sweep definitions, in words, or null when they are the same sweep. */
    static String difference(JsonNode old, JsonNode now) {
        if (!FORMAT.equals(old.path("format").asText())) {
            return "its " + MANIFEST + " is not a " + FORMAT + " record";
        }
        JsonNode of = old.path("files"), nf = now.path("files");
        for (int i = 0; i < Math.max(of.size(), nf.size()); i++) {
            JsonNode a = of.get(i), b = nf.get(i);
            if (a == null) {
                return "it has no " + b.path("name").asText() + " (" + nf.size() + " input files now, " + of.size() + " then)";
            }
            if (b == null) {
                return "its input " + a.path("name").asText() + " is no longer among the inputs (" + nf.size()
                        + " input files now, " + of.size() + " then)";
            }
            if (!a.path("path").equals(b.path("path"))) {
                return "its input file " + (i + 1) + " was " + a.path("name").asText() + ", now " + b.path("name").asText();
            }
            if (!a.path("size").equals(b.path("size")) || !a.path("mtime").equals(b.path("mtime"))) {
                return "its input " + b.path("name").asText() + " changed since (size or modification time)";
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("files") && !e.getValue().equals(old.get(e.getKey()))) {
                return "its " + e.getKey().replace('_', ' ') + " differ" + (e.getKey().endsWith("s") ? "" : "s")
                        + " (then " + Json.write(old.path(e.getKey())) + ", now " + Json.write(e.getValue()) + ")";
            }
        }
        for (Iterator<String> it = old.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!now.has(k)) {
                return "it has a setting this sweep lacks: " + k;
            }
        }
        return null;
    }

    private static boolean hasEntriesOtherThanLock(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (!p.getFileName().toString().equals(LOCK)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the unit's result file is there (an earlier run, or this one, finished it). */
    boolean done(Unit u) {
        return Files.isRegularFile(dir.resolve(u.resultPath()));
    }

    /** Removes the temporary files that killed or failed task attempts left in {@code units/} and {@code parts/}. */
    int removeTemporaries() throws IOException {
        int[] n = {0};
        for (String sub : new String[] {UNITS, PARTS}) {
            if (Files.isDirectory(dir.resolve(sub))) {
                removeTemporaries(dir.resolve(sub), n);
            }
        }
        return n[0];
    }

    private static void removeTemporaries(Path folder, int[] n) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            s.filter(p -> p.getFileName().toString().startsWith(".") && p.getFileName().toString().endsWith(".tmp"))
                    .forEach(p -> {
                        try {
                            Files.deleteIfExists(p);
                            n[0]++;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
    }

    private static String me() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return ProcessHandle.current().pid() + "@" + host;
    }

    private static void lock(Path dir) throws IOException {
        Path lock = dir.resolve(LOCK);
        String me = me();
        for (int tries = 0; tries < 2; tries++) {
            try {
                Files.writeString(lock, me + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return;
            } catch (FileAlreadyExistsException e) {
                String holder = Files.readString(lock, StandardCharsets.UTF_8).strip();
                int at = holder.indexOf('@');
                boolean sameHost = at > 0 && holder.substring(at + 1).equals(me.substring(me.indexOf('@') + 1));
                long pid = -1;
                try {
                    pid = at > 0 ? Long.parseLong(holder.substring(0, at)) : -1;
                } catch (NumberFormatException ignored) {
                    // an unreadable lock is treated as held
                }
                boolean gone = sameHost && pid > 0 && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
                if (!gone) {
                    throw new BadInputException("--out " + dir + " is being written by another sweep (process " + holder
                            + "); wait for it to end, or delete " + lock + " if that sweep is gone");
                }
                Files.deleteIfExists(lock);
            }
        }
        throw new BadInputException("--out " + dir + ": could not take its lock " + lock);
    }

    private void release() {
        try {
            Path lock = dir.resolve(LOCK);
            if (Files.exists(lock) && Files.readString(lock, StandardCharsets.UTF_8).strip().equals(me())) {
                Files.deleteIfExists(lock);
            }
        } catch (IOException ignored) {
            // best effort: a lock left behind by a process that is gone is taken over by the next sweep
        }
    }

    @Override
    public void close() {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(releaser);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to
        }
    }
}
