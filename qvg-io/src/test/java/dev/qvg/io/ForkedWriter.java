package dev.qvg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A separate JVM that writes through {@link AtomicFiles}, for what only another process can
 * show: signals (SIGINT, SIGTERM, SIGKILL) in the middle of a write, the umask, a file-size limit.
 * Arguments: {@code MODE TARGET [BYTES]}; prints one line {@code writing} once the temporary file
 * holds data ({@code hold}), or {@code failed: MESSAGE} when the write fails (exit 1).
 */
public final class ForkedWriter {

    private ForkedWriter() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path target = Path.of(args[1]);
        long bytes = args.length > 2 ? Long.parseLong(args[2]) : 1 << 20;
        try {
            AtomicFiles.write(target, false, ch -> {
                write(ch, bytes);
                if (mode.equals("hold")) {
                    System.out.println("writing");
                    System.out.flush();
                    try {
                        Thread.sleep(120_000); // the test signals this process meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            System.out.println("done");
        } catch (IOException e) {
            System.out.println("failed: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void write(java.nio.channels.FileChannel ch, long bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        for (long done = 0; done < bytes; ) {
            b.clear().limit((int) Math.min(b.capacity(), bytes - done));
            done += ch.write(b);
        }
    }
}
