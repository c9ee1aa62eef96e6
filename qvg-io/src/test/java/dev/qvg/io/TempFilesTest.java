package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Temporary files never outlive their writer: removed by a JVM stopped with SIGINT or SIGTERM,
 * and, for SIGKILL (which runs nothing), recognisable by name and removed by the next write into
 * the same folder, while a live process's temporary file is never touched.
 */
class TempFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void writeSmall(String name) throws IOException {
        AtomicFiles.write(dir.resolve(name), false, ch -> ch.write(ByteBuffer.wrap(new byte[] {1})));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aWriterStoppedBySignalLeavesNoTemporaryFile(String signal) throws Exception {
        Path target = dir.resolve("out.bin");
        Process p = Forks.start(null, "hold", target.toString(), Integer.toString(8 << 20));
        try {
            Forks.awaitWriting(p);
            List<String> during = names();
            assertEquals(1, during.size(), "one temporary file while writing: " + during);
            assertTrue(during.get(0).startsWith(".out.bin" + TempFiles.MARK + p.pid() + "-"), during.get(0));
            assertEquals(8 << 20, Files.size(dir.resolve(during.get(0))), "it holds the partial output");
            Forks.signal(p, signal);
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of(), names(), "SIG" + signal + ": nothing left, no output published");
    }

    @Test
    void aKilledWritersTemporaryFileIsRemovedByTheNextWriteInItsFolder() throws Exception {
        Process p = Forks.start(null, "hold", dir.resolve("out.bin").toString());
        try {
            Forks.awaitWriting(p);
            Forks.signal(p, "KILL");
        } finally {
            p.destroyForcibly();
        }
        List<String> left = names();
        assertEquals(1, left.size(), "SIGKILL runs no clean-up: " + left);
        assertTrue(left.get(0).matches("\\.out\\.bin\\.qvgtmp-" + p.pid() + "-[0-9a-f]{8}\\.\\d+\\.tmp"), left.get(0));
        writeSmall("next.bin");
        assertEquals(List.of("next.bin"), names(), "the dead writer's partial file was removed");
    }

    @Test
    void onlyFilesOfProcessesThatAreGoneAreRemoved() throws Exception {
        Process live = new ProcessBuilder("sleep", "60").start();
        Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(30, TimeUnit.SECONDS));
        try {
            String ofDead = TempFiles.nameFor("a.bin", dead.pid(), 1);
            String ofLive = TempFiles.nameFor("b.bin", live.pid(), 1);
            String ofUs = TempFiles.nameFor("c.bin", ProcessHandle.current().pid(), 999_999);
            String otherHost = ".d.bin" + TempFiles.MARK + dead.pid() + "-00000000.1.tmp";
            String unrelated = ".e.bin.12345.tmp";
            String reused = TempFiles.nameFor("f.bin", live.pid(), 2);
            for (String n : List.of(ofDead, ofLive, ofUs, otherHost, unrelated, reused)) {
                Files.write(dir.resolve(n), new byte[] {7});
            }
            // a file last written long before the process now holding its pid started: that pid was reused
            Files.setLastModifiedTime(dir.resolve(reused), FileTime.fromMillis(946_684_800_000L));
            if (otherHost.equals(TempFiles.nameFor("d.bin", dead.pid(), 1))) {
                return; // this host's key happens to be 00000000: the case cannot be told apart here
            }
            writeSmall("out.bin");
            List<String> left = names();
            assertFalse(left.contains(ofDead), "a dead process's file is removed: " + left);
            assertFalse(left.contains(reused), "a file older than its pid's current process is removed: " + left);
            assertTrue(left.containsAll(List.of(ofLive, ofUs, otherHost, unrelated, "out.bin")),
                    "live processes', other hosts' and unrelated files stay: " + left);
        } finally {
            live.destroyForcibly();
        }
    }

    @Test
    void namesAreRecognisedOnlyInTheirOwnPattern() {
        long gone = Long.MAX_VALUE; // no such pid
        assertTrue(TempFiles.isStale(dir.resolve(TempFiles.nameFor("x.y.safetensors", gone, 3))));
        assertFalse(TempFiles.isStale(dir.resolve(TempFiles.nameFor("x", gone, 3) + ".bak")));
        assertFalse(TempFiles.isStale(dir.resolve("x" + TempFiles.nameFor("x", gone, 3))), "not hidden");
        assertFalse(TempFiles.isStale(dir.resolve(".x.qvgtmp-12-abc.1.tmp")), "malformed host key");
    }
}
