package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.testing.ReadOnlyDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an output may replace and how it looks: even with force only a regular file is replaced
 * (a device, a FIFO, a link or a folder is refused and kept, also when it appears during the
 * write), new files follow the umask, replaced files keep their mode, and a write that cannot be
 * done names the output, not the hidden temporary file.
 */
class OutputTargetTest {

    @TempDir
    Path dir;

    private static final AtomicFiles.Body ONE_BYTE = ch -> ch.write(ByteBuffer.wrap(new byte[] {9}));

    private List<String> hidden() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private void assertRefusedAndKept(Path target) throws Exception {
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(target, true, ONE_BYTE));
        assertTrue(e.getMessage().contains(target.toString()) && e.getMessage().contains("refusing to replace"),
                e.getMessage());
        assertThrows(FileSystemException.class, () -> AtomicFiles.checkTarget(target, true));
        assertTrue(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "still there");
        assertFalse(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS), "not replaced by a file");
        assertEquals(List.of(), hidden(), "no temporary file left");
    }

    @Test
    void forceNeverReplacesAFifo() throws Exception {
        Path fifo = dir.resolve("pipe");
        if (!run("mkfifo", fifo.toString())) {
            org.junit.jupiter.api.Assumptions.abort("mkfifo is not available");
        }
        assertRefusedAndKept(fifo);
    }

    @Test
    void forceNeverReplacesADeviceNode() throws Exception {
        Path dev = dir.resolve("null");
        if (!run("mknod", dev.toString(), "c", "1", "3")) {
            org.junit.jupiter.api.Assumptions.abort("mknod needs root (CAP_MKNOD)");
        }
        assertRefusedAndKept(dev);
    }

    @Test
    void forceNeverReplacesALinkOrAFolder() throws Exception {
        Path real = Files.write(dir.resolve("real.bin"), new byte[] {1, 2});
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), real);
        assertRefusedAndKept(link);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(real), "the link's target is untouched");
        Path folder = Files.createDirectory(dir.resolve("folder"));
        assertRefusedAndKept(folder);
        assertTrue(Files.isDirectory(folder));
    }

    @Test
    void aNonRegularFileThatAppearsDuringTheWriteIsKept() throws Exception {
        Path target = dir.resolve("late");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(target, true, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {1}));
            Files.createDirectory(target); // e.g. another program, between the first check and the rename
        }));
        assertTrue(e.getMessage().contains("folder"), e.getMessage());
        assertTrue(Files.isDirectory(target));
        assertEquals(List.of(), hidden());
    }

    @Test
    void newFilesFollowTheUmask() throws Exception {
        for (String[] c : new String[][] {{"077", "rw-------"}, {"002", "rw-rw-r--"}, {"022", "rw-r--r--"}}) {
            Path target = dir.resolve("umask" + c[0] + ".bin");
            String[] r = Forks.run("umask " + c[0], "write", target.toString(), "10");
            assertEquals("0", r[0], r[1]);
            assertEquals(c[1], PosixFilePermissions.toString(Files.getPosixFilePermissions(target)), "umask " + c[0]);
        }
        assertEquals(List.of(), hidden());
    }

    @Test
    void aReplacedFileKeepsItsMode() throws Exception {
        for (String mode : List.of("rw-------", "rw-r-----", "rwxr-xr-x")) {
            Path target = Files.write(dir.resolve("keep.bin"), new byte[] {1});
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(mode));
            AtomicFiles.write(target, true, ONE_BYTE);
            assertArrayEquals(new byte[] {9}, Files.readAllBytes(target), "replaced");
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
            Files.delete(target);
        }
    }

    @Test
    void aFileSizeLimitNamesTheOutputAndLeavesNothing() throws Exception {
        Path target = dir.resolve("big.bin");
        // ulimit -f counts 1 KiB blocks here: 64 KiB allowed, 1 MiB written ("File too large", as a full disk)
        String[] r = Forks.run("ulimit -f 64", "write", target.toString(), Integer.toString(1 << 20));
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].startsWith("failed: " + target + ": cannot write the output: "), r[1]);
        assertFalse(r[1].contains(TempFiles.MARK), "the hidden temporary file is not named: " + r[1]);
        assertFalse(Files.exists(target));
        assertEquals(List.of(), hidden(), "no temporary file left");
    }

    @Test
    void aReadOnlyFolderIsRefusedUpFrontNamingTheOutput() throws Exception {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path target = ro.resolve("out.bin");
        try (ReadOnlyDir f = ReadOnlyDir.of(ro)) {
            for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> AtomicFiles.checkTarget(target, false), () -> AtomicFiles.write(target, false, ONE_BYTE),
                    () -> QuantizedKvStreamWriter.create(target, null, false).close())) {
                FileSystemException e = assertThrows(FileSystemException.class, call);
                assertEquals(target.toString(), e.getFile(), e.getMessage());
                assertTrue(e.getMessage().contains("cannot create a file in the folder " + ro), e.getMessage());
                assertFalse(e.getMessage().contains(TempFiles.MARK), e.getMessage());
            }
        }
        try (Stream<Path> s = Files.list(ro)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void aFailingWriteOfTheStreamedWriterNamesTheOutput() throws Exception {
        Path target = dir.resolve("q.qvg.safetensors");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, false, ch -> {
            ch.close(); // any failure of the channel itself
            ch.write(ByteBuffer.wrap(new byte[] {1}));
        }));
        assertTrue(e instanceof java.nio.channels.ClosedChannelException, "closing keeps its own type: " + e);
        IOException named = OutputChannel.named(target, new IOException("No space left on device"));
        assertEquals(target + ": cannot write the output: No space left on device (nothing was published;"
                + " an existing file is unchanged)", named.getMessage());
        assertEquals(List.of(), hidden());
    }
}
