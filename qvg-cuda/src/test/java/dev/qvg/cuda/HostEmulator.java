package dev.qvg.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Compiles {@code src/test/cuda/host_emulation.cpp} (the kernels' per-thread bodies built for the
 * host) once per JVM with the system C++ compiler, and runs it on little-endian request buffers.
 */
final class HostEmulator {

    private static final Path SOURCE = Path.of("src/test/cuda/host_emulation.cpp");
    private static final Path BINARY = Path.of("target/host-emulation/qvg_host_emulation");

    private static volatile String unavailable;
    private static volatile boolean built;

    private HostEmulator() {
    }

    /** Null when the emulator is ready, else why it cannot run here. */
    static synchronized String unavailableReason() {
        if (built || unavailable != null) {
            return unavailable;
        }
        try {
            Files.createDirectories(BINARY.getParent());
            // -ffp-contract=off: no fused multiply-add, as the PTX; SSE arithmetic on x86-64 has no
            // excess precision, so every float operation rounds as Java's and the GPU's do.
            Process p = new ProcessBuilder("g++", "-O2", "-std=c++20", "-pthread", "-ffp-contract=off", "-fno-fast-math",
                    "-o", BINARY.toString(), SOURCE.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("host emulation does not compile:\n" + log);
            }
            built = true;
        } catch (IOException e) {
            unavailable = "no C++ compiler (g++) to build the host emulation: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted while compiling the host emulation";
        }
        return unavailable;
    }

    static ByteBuffer request(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Runs the emulator on {@code req} (position = length) and returns its whole output. */
    static ByteBuffer run(ByteBuffer req) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(BINARY.toAbsolutePath().toString()).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(req.array(), 0, req.position());
        }
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("host emulation exited " + rc + ": "
                    + new String(err.join(), StandardCharsets.UTF_8));
        }
        return ByteBuffer.wrap(out.join()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] readAll(InputStream s) {
        try {
            return s.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
