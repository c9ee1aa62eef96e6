package dev.qvg.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads a byte range of a file through memory mapping, window by window (a MappedByteBuffer is
 * int-indexed), unmapping each window before the next. No mapped buffer ever escapes, which is
 * what makes the eager unmapping safe.
 *
 * <p>A file truncated by another program while it is read is a {@link CorruptFileException}
 * "changed while it was read" naming the file and the part: touching a mapped page past the new
 * end raises the JVM's {@code InternalError} (SIGBUS), and mapping past the end fails with the
 * JDK's "Channel not open for writing - cannot extend file"; both are translated here.
 */
final class MappedReads {

    /** 1 GiB: a multiple of every element width, well under the 2 GiB buffer limit. */
    static final long WINDOW = 1L << 30;

    interface WindowConsumer {
        /** {@code window} holds bytes starting {@code byteOffset} into the range, little-endian order set. */
        void accept(MappedByteBuffer window, long byteOffset) throws IOException;
    }

    private MappedReads() {
    }

    static void read(Path path, String part, FileChannel channel, long position, long length, WindowConsumer consumer)
            throws IOException {
        read(path, part, channel, position, length, WINDOW, consumer);
    }

    static void read(Path path, String part, FileChannel channel, long position, long length, long window,
                     WindowConsumer consumer) throws IOException {
        long done = 0;
        try {
            while (done < length) {
                long n = Math.min(window, length - done);
                MappedByteBuffer buf = map(path, part, channel, position + done, n, position + length);
                try {
                    buf.order(ByteOrder.LITTLE_ENDIAN);
                    consumer.accept(buf, done);
                } finally {
                    Unmapper.unmap(buf);
                }
                done += n;
            }
        } catch (InternalError e) {
            // A mapped page past the end of a file truncated since it was mapped: SIGBUS in the JVM,
            // delivered at the next call (the unmapping, say), hence caught around the whole loop.
            if (String.valueOf(e.getMessage()).contains("unsafe memory access")) {
                throw changed(path, part, channel, position + length, e);
            }
            throw e;
        }
    }

    /** Maps {@code [position, position + n)}; a file now shorter than {@code end} is "changed while read". */
    static MappedByteBuffer map(Path path, String part, FileChannel channel, long position, long n, long end)
            throws IOException {
        if (channel.size() < end) {
            throw changed(path, part, channel, end, null);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, n);
        } catch (IOException e) {
            // Truncated between the size check and the mapping: the JDK then says "Channel not open
            // for writing - cannot extend file", which names neither the file nor the cause.
            if (channel.size() < position + n) {
                throw changed(path, part, channel, end, e);
            }
            throw e;
        }
    }

    /** The refusal of a file that no longer holds the bytes its header promised. */
    static CorruptFileException changed(Path path, String part, FileChannel channel, long end, Throwable cause) {
        long now;
        try {
            now = channel.size();
        } catch (IOException e) {
            now = -1;
        }
        return new CorruptFileException(path, part, "the file changed while it was read (it now has " + now
                + " bytes; this part ends at byte " + end + "); read it again once it is complete", cause);
    }
}
