package dev.qvg.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a large BF16 safetensors file of tensors {@code k} and {@code v}, each
 * {@code [1, heads, tokens, dim]}, without holding it in memory: values from a seeded xorshift
 * generator, magnitudes 0.06 to 4 with random signs. For tests and measurements of streamed
 * commands on inputs larger than a heap (the shape of the real workload matters, not its values).
 *
 * <pre>java -cp test-classes:... dev.qvg.cli.BigKvFile FILE HEADS TOKENS DIM SEED</pre>
 */
final class BigKvFile {

    private BigKvFile() {
    }

    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Long.parseLong(args[4]));
    }

    static void write(Path file, int heads, int tokens, int dim, long seed) throws IOException {
        long bytes = 2L * heads * tokens * dim;
        String shape = "[1," + heads + "," + tokens + "," + dim + "]";
        StringBuilder json = new StringBuilder("{\"k\":{\"dtype\":\"BF16\",\"shape\":" + shape + ",\"data_offsets\":[0,"
                + bytes + "]},\"v\":{\"dtype\":\"BF16\",\"shape\":" + shape + ",\"data_offsets\":[" + bytes + ","
                + 2 * bytes + "]}}");
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            while (head.hasRemaining()) {
                ch.write(head);
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
            long x = seed * 0x9E3779B97F4A7C15L + 1;
            for (long done = 0; done < 2 * bytes; ) {
                buf.clear();
                int n = (int) Math.min(buf.capacity(), 2 * bytes - done) / 2;
                for (int i = 0; i < n; i++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    int sign = (int) (x >>> 63) << 15, exponent = 123 + (int) ((x >>> 40) & 0xFFFF) % 6;
                    buf.putShort((short) (sign | exponent << 7 | (int) (x & 0x7F)));
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    done += ch.write(buf);
                }
            }
        }
    }
}
