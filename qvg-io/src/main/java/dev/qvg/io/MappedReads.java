package dev.qvg.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a byte range of a file through memory mapping, window by window (a MappedByteBuffer is
 * int-indexed), unmapping each window before the next. No mapped buffer ever escapes, which is
 * what makes the eager unmapping safe.
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

    static void read(FileChannel channel, long position, long length, WindowConsumer consumer) throws IOException {
        read(channel, position, length, WINDOW, consumer);
    }

    static void read(FileChannel channel, long position, long length, long window, WindowConsumer consumer)
            throws IOException {
        long done = 0;
        while (done < length) {
            long n = Math.min(window, length - done);
            MappedByteBuffer buf = channel.map(FileChannel.MapMode.READ_ONLY, position + done, n);
            try {
                buf.order(ByteOrder.LITTLE_ENDIAN);
                consumer.accept(buf, done);
            } finally {
                Unmapper.unmap(buf);
            }
            done += n;
        }
    }
}
