package dev.qvg.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hidden temporary files writers create next to their targets, named
 * {@code .NAME.qvgtmp-<pid>-<host>.<n>.tmp} so that their owner can be told from the name.
 *
 * <ul>
 *   <li>A JVM stopped by SIGINT or SIGTERM removes its own in a shutdown hook instead of leaving a
 *       partial file of up to the output's size behind.</li>
 *   <li>SIGKILL (or a power cut) runs no hook: the next write into the same folder removes the
 *       files whose process is gone ({@link #sweep}). Only files of this host (the hash in the
 *       name; a folder may be shared over the network) whose process no longer exists, or whose pid
 *       now belongs to a process started after the file was last written (the pid was reused),
 *       are removed; a live writer's file is never touched.</li>
 * </ul>
 */
final class TempFiles {

    static final String MARK = ".qvgtmp-";
    /** {@code .NAME.qvgtmp-PID-HOST.N.tmp}; NAME may itself contain dots. */
    private static final Pattern NAME = Pattern.compile("\\..*\\.qvgtmp-(\\d{1,19})-([0-9a-f]{8})\\.\\d+\\.tmp");
    private static final String GLOB = ".*" + MARK + "*.tmp";
    /**
     * A pid counts as reused only when its process started this long after the file was last
     * written: Linux gives process start times through the boot time in whole seconds.
     */
    private static final long REUSE_SLACK_MS = 2_000;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private static final long PID = ProcessHandle.current().pid();
    private static final String HOST = hostKey();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteAll, "qvg-temp-cleanup"));
    }

    private TempFiles() {
    }

    /**
     * A new empty temporary file, owner-only while it is written, in {@code dir} for the output
     * named {@code targetName}; stale temporary files of dead processes in {@code dir} are
     * removed first.
     */
    static Path create(Path dir, String targetName) throws IOException {
        sweep(dir);
        return createFile(dir, targetName, true);
    }

    /** The mode a new file in {@code dir} gets from this process's umask (and the folder's default ACL). */
    static Set<PosixFilePermission> defaultMode(Path dir) throws IOException {
        // Java cannot read the umask; a file created without a mode shows it. Named like a
        // temporary file so that even a SIGKILL right here leaves nothing unrecognisable.
        Path probe = createFile(dir, "umask", false);
        try {
            return Files.getPosixFilePermissions(probe, LinkOption.NOFOLLOW_LINKS);
        } finally {
            delete(probe);
        }
    }

    private static Path createFile(Path dir, String targetName, boolean ownerOnly) throws IOException {
        String prefix = "." + targetName + MARK + PID + "-" + HOST + ".";
        while (true) {
            Path tmp = dir.resolve(prefix + COUNTER.incrementAndGet() + ".tmp");
            LIVE.add(tmp);
            try {
                return ownerOnly && posix(dir) ? Files.createFile(tmp, OWNER_ONLY) : Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                LIVE.remove(tmp); // a leftover of an earlier process with this pid: take the next number
            } catch (IOException | RuntimeException e) {
                LIVE.remove(tmp);
                throw e;
            }
        }
    }

    private static boolean posix(Path dir) throws IOException {
        return Files.getFileStore(dir).supportsFileAttributeView("posix");
    }

    /** Deletes {@code tmp} if it still exists and stops tracking it. */
    static void delete(Path tmp) throws IOException {
        try {
            Files.deleteIfExists(tmp);
        } finally {
            LIVE.remove(tmp);
        }
    }

    /** Stops tracking {@code tmp} (it was renamed into place). */
    static void forget(Path tmp) {
        LIVE.remove(tmp);
    }

    /**
     * Removes the temporary files in {@code dir} left by processes of this host that are gone.
     * Best effort: a folder that cannot be listed, or a file that cannot be removed, is left as
     * it is (the write that follows reports any real problem with the folder). Returns how many
     * files were removed.
     */
    static int sweep(Path dir) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, GLOB)) {
            for (Path f : files) {
                if (isStale(f)) {
                    try {
                        if (Files.deleteIfExists(f)) {
                            removed++;
                        }
                    } catch (IOException | RuntimeException e) {
                        // not ours to insist on: another sweeper may have won, or the folder is read-only
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unlistable folder: nothing to sweep
        }
        return removed;
    }

    /** Whether {@code f} is a temporary file of this host whose process is gone. */
    static boolean isStale(Path f) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (!m.matches() || !m.group(2).equals(HOST) || LIVE.contains(f)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        // The pid is taken: stale only if that process started after the file was last written.
        Optional<Instant> started = p.get().info().startInstant();
        if (started.isEmpty()) {
            return false;
        }
        try {
            FileTime written = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
            return started.get().toEpochMilli() > written.toMillis() + REUSE_SLACK_MS;
        } catch (IOException e) {
            return false;
        }
    }

    /** The name of a temporary file this process would create now for {@code targetName} (tests). */
    static String nameFor(String targetName, long pid, long n) {
        return "." + targetName + MARK + pid + "-" + HOST + "." + n + ".tmp";
    }

    /**
     * Eight hex digits of the host name: pids mean something only on their own host. Read from
     * the kernel (no name lookup, which can hang on a misconfigured network).
     */
    private static String hostKey() {
        String host = null;
        for (String p : new String[] {"/proc/sys/kernel/hostname", "/etc/hostname"}) {
            try {
                host = Files.readString(Path.of(p), StandardCharsets.UTF_8).strip();
                if (!host.isEmpty()) {
                    break;
                }
            } catch (IOException | RuntimeException e) {
                host = null;
            }
        }
        if (host == null || host.isEmpty()) {
            host = System.getenv().getOrDefault("HOSTNAME", System.getenv().getOrDefault("COMPUTERNAME", "localhost"));
        }
        return String.format("%08x", host.hashCode());
    }

    private static void deleteAll() {
        for (Path p : LIVE) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // Shutting down: nothing better to do than try the others.
            }
        }
    }
}
