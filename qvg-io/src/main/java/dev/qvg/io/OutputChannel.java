package dev.qvg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * The channel of a hidden temporary file, as a writer's body sees it: every I/O failure on it
 * ("No space left on device", "File too large", an I/O error) is reported as a failure to write
 * the <em>output</em>, naming the output path rather than the temporary file nobody asked for
 * and not naming no file at all, as the JDK's own messages do. Failures of anything else the
 * body does (reading an input, a corrupt file) pass unchanged, which is why the naming is done
 * here and not around the whole body.
 */
final class OutputChannel extends FileChannel {

    /** A failure to write an output; its message names the output. */
    static final class WriteFailure extends IOException {
        private static final long serialVersionUID = 1L;

        WriteFailure(Path target, IOException cause) {
            super(target + ": cannot write the output: " + cause.getMessage()
                    + " (nothing was published; an existing file is unchanged)", cause);
        }
    }

    private final FileChannel d;
    private final Path target;

    OutputChannel(FileChannel delegate, Path target) {
        this.d = delegate;
        this.target = target;
    }

    /** {@code e} as a failure to write {@code target}; interruption and closing keep their own types. */
    static IOException named(Path target, IOException e) {
        if (e instanceof WriteFailure || e instanceof ClosedChannelException || e instanceof CorruptFileException) {
            return e;
        }
        return new WriteFailure(target, e);
    }

    private IOException named(IOException e) {
        return named(target, e);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            return d.read(dst);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        try {
            return d.read(dsts, offset, length);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return d.write(src);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        try {
            return d.write(srcs, offset, length);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long position() throws IOException {
        return d.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        d.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return d.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        try {
            d.truncate(size);
            return this;
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        try {
            d.force(metaData);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        try {
            return d.transferTo(position, count, target);
        } catch (IOException e) {
            throw named(e);
        }
    }

    /** Straight to the file's own channel, so a copy from another file stays in the kernel. */
    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        try {
            return d.transferFrom(src, position, count);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        try {
            return d.read(dst, position);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        try {
            return d.write(src, position);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        try {
            return d.map(mode, position, size);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return d.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return d.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        d.close();
    }
}
