package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void neverOverwritesWithoutForce() throws IOException {
        Path p = Files.write(dir.resolve("out.safetensors"), new byte[] {42});
        SafeTensorsWriter w = new SafeTensorsWriter().addFloats("t", DType.F32, new long[] {1}, new float[] {1f});
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> w.write(p, false));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(p));
        assertThrows(FileAlreadyExistsException.class,
                () -> Npy.write(p, new long[] {1}, new float[] {1f}, DType.F32, false));
        assertThrows(FileAlreadyExistsException.class, () -> KvFiles.write(p, java.util.Map.of(), DType.F32,
                dev.qvg.api.tensor.Layout.BHSD, false));
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(p));
        assertEquals(1, filesIn(dir), "no temporary file left behind");
    }

    @Test
    void overwritesWithForce() throws IOException {
        Path p = Files.write(dir.resolve("out.safetensors"), new byte[] {42});
        new SafeTensorsWriter().addFloats("t", DType.F32, new long[] {1}, new float[] {1f}).write(p, true);
        try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
            assertArrayEquals(new float[] {1f}, r.floats("t"));
        }
        assertEquals(1, filesIn(dir));
        if (Files.getFileStore(p).supportsFileAttributeView("posix")) {
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        }
    }

    @Test
    void failedWriteLeavesNothing() throws IOException {
        Path p = dir.resolve("never.bin");
        assertThrows(IOException.class, () -> AtomicFiles.write(p, false, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            throw new IOException("disk full (simulated)");
        }));
        assertEquals(0, filesIn(dir));
    }
}
