package dev.qvg.cuda;

import dev.qvg.testing.Claims;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compiles {@code src/test/cuda/host_emulation.cpp} (the kernels' per-thread bodies built for the
 * host) once per JVM with the system C++ compiler, and runs it on little-endian request buffers.
 * One emulator process serves every request of the JVM in turn (starting a process per request
 * cost more than the work); it is restarted after a failure.
 *
 * <p>The emulation is the only proof of the kernels on a machine without a GPU, so where {@code g++}
 * is missing the tests skip with the reason, except in CI ({@link Claims#inCi()}: the variable
 * {@code CI} set, and not "false"), where they fail naming it. Where the module's sources are not
 * at hand (a GPU machine running the device bundle) they skip.
 */
final class HostEmulator {

    private static final String SOURCE = "src/test/cuda/host_emulation.cpp";
    private static final Path BINARY = ModuleSources.resolve("target/host-emulation/qvg_host_emulation");
    private static final Path ERRORS = ModuleSources.resolve("target/host-emulation/stderr.txt");

    private static String unavailable;
    private static boolean noCompiler;
    private static boolean built;
    private static Process process;
    private static OutputStream toEmulator;
    private static DataInputStream fromEmulator;

    private HostEmulator() {
    }

    /** Null when the emulator is ready, else why it cannot run here. */
    static synchronized String unavailableReason() {
        if (built || unavailable != null) {
            return unavailable;
        }
        String noSource = ModuleSources.missing(SOURCE);
        if (noSource != null) {
            unavailable = noSource;
            return unavailable;
        }
        try {
            Files.createDirectories(BINARY.getParent());
            // -ffp-contract=off: no fused multiply-add, as the PTX; SSE arithmetic on x86-64 has no
            // excess precision, so every float operation rounds as Java's and the GPU's do.
            Process p = new ProcessBuilder("g++", "-O2", "-std=c++20", "-ffp-contract=off", "-fno-fast-math",
                    "-o", BINARY.toString(), ModuleSources.resolve(SOURCE).toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("host emulation does not compile:\n" + log);
            }
            built = true;
        } catch (IOException e) {
            noCompiler = true;
            unavailable = "no C++ compiler (g++) to build the host emulation: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted while compiling the host emulation";
        }
        return unavailable;
    }

    /**
     * Returns when the emulator is ready; otherwise skips the calling test, printing why, or,
     * in CI, fails it ({@link Claims}).
     */
    static void requireFor(String test) {
        String why = unavailableReason();
        if (why != null) {
            skipOrFail(test, why, noCompiler, Claims.inCi());
        }
    }

    /**
     * The policy of {@link #requireFor} for an emulator that is unavailable for {@code why}: a
     * missing g++ is a claim's missing tool (in CI a failure naming it), missing sources a skip.
     */
    static void skipOrFail(String test, String why, boolean noCompiler, boolean ci) {
        if (noCompiler) {
            Claims.require(false, test + ": g++ (12 or newer)", why
                    + "; the host emulation is the kernels' only proof without a GPU: apt-get install g++", ci);
        }
        Claims.skip(test + ": " + why);
    }

    static ByteBuffer request(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Runs the emulator on {@code req} (position = length) and returns its whole answer. */
    static synchronized ByteBuffer run(ByteBuffer req) throws IOException {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        if (process == null || !process.isAlive()) {
            process = new ProcessBuilder(BINARY.toAbsolutePath().toString())
                    .redirectError(ProcessBuilder.Redirect.to(ERRORS.toFile())).start();
            toEmulator = process.getOutputStream();
            fromEmulator = new DataInputStream(process.getInputStream());
        }
        try {
            toEmulator.write(req.array(), 0, req.position());
            toEmulator.flush();
            long n = Long.reverseBytes(fromEmulator.readLong());
            byte[] out = new byte[Math.toIntExact(n)];
            fromEmulator.readFully(out);
            return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            Process dead = process;
            process = null;
            dead.destroy();
            try {
                dead.waitFor();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            String err = Files.exists(ERRORS) ? Files.readString(ERRORS, StandardCharsets.UTF_8).strip() : "";
            throw new IllegalStateException("host emulation " + (e instanceof EOFException ? "ended" : "failed")
                    + " (exit " + dead.exitValue() + "): " + err, e);
        }
    }
}
