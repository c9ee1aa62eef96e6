package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short real fuzzing run of the default {@code mvn test}. Jazzer only fuzzes with
 * {@code JAZZER_FUZZ=1} and one fuzz test per JVM, so the default suite could only replay its
 * corpus; this test mutates the committed seeds with a seeded, format-aware mutator (bit flips,
 * boundary integers over the length and offset fields, digit edits inside the JSON and Python
 * dict headers, truncation, extension, splicing) and feeds each result to the same targets as the
 * Jazzer tests. Not coverage-guided, but deterministic: a failure prints the seed and the input,
 * and the same seed reproduces it ({@code -Dqvg.fuzz.seed=N}, {@code -Dqvg.fuzz.iterations=N}).
 * The preemptive timeout turns a hang (an input that loops a reader) into a failure.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SeededMutationFuzzTest {

    static final long SEED = Long.getLong("qvg.fuzz.seed", 20261125L);
    static final int ITERATIONS = Integer.getInteger("qvg.fuzz.iterations", 3000);

    private static final long[] BOUNDARY = {0, 1, 2, 7, 8, 9, 255, 256, 65535, 65536, Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L, 0xFFFFFFFFL, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, 100L << 20,
            (100L << 20) + 1, 8L << 30};

    @Test
    void safeTensorsReaders() throws Exception {
        assertEquals(ITERATIONS, fuzz(SeedCorpus.load(SeedCorpus.SAFETENSORS_DIR), 1, input -> {
            ReaderTargets.run(input, ReaderTargets::safeTensors);
            ReaderTargets.run(input, ReaderTargets::kvFiles);
            ReaderTargets.run(input, ReaderTargets::inspect);
        }));
    }

    @Test
    void npyReaders() throws Exception {
        assertEquals(ITERATIONS, fuzz(SeedCorpus.load(SeedCorpus.NPY_DIR), 2, input -> {
            ReaderTargets.run(input, ReaderTargets::npy);
            ReaderTargets.run(input, ReaderTargets::kvFiles);
            ReaderTargets.run(input, ReaderTargets::inspect);
        }));
    }

    @Test
    void quantizedKvFileReader() throws Exception {
        assertEquals(ITERATIONS, fuzz(SeedCorpus.load(SeedCorpus.QUANTIZED_DIR), 3,
                input -> {
                    ReaderTargets.run(input, ReaderTargets::quantized);
                    ReaderTargets.run(input, ReaderTargets::inspect);
                }));
    }

    @Test
    void forgedSignedQuantizedFiles() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED ^ 4);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] decisions = new byte[8 + r.nextInt(120)];
            for (int j = 0; j < decisions.length; j++) {
                decisions[j] = (byte) r.nextInt(256);
            }
            byte[] forged = QuantizedFileForge.forge(ForgedQuantizedFileFuzzTest.BASES, decisions);
            check(i, 4, forged, input -> {
                ReaderTargets.run(input, ReaderTargets::quantized);
                ReaderTargets.run(input, ReaderTargets::inspect);
            });
        }
    }

    @FunctionalInterface
    interface Body {
        void accept(byte[] input) throws Exception;
    }

    private static int fuzz(Map<String, byte[]> seeds, int stream, Body body) {
        List<byte[]> pool = new ArrayList<>(seeds.values());
        SplittableRandom r = new SplittableRandom(SEED ^ stream);
        int done = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = pool.get(r.nextInt(pool.size()));
            int rounds = 1 + r.nextInt(4);
            for (int k = 0; k < rounds; k++) {
                input = mutate(input, pool, r);
            }
            check(i, stream, input, body);
            done++;
        }
        return done;
    }

    private static void check(int iteration, int stream, byte[] input, Body body) {
        try {
            body.accept(input);
        } catch (Throwable t) {
            fail("seed " + SEED + " stream " + stream + " iteration " + iteration + ": " + t
                    + "\ninput (base64): " + Base64.getEncoder().encodeToString(input), t);
        }
    }

    static byte[] mutate(byte[] in, List<byte[]> pool, SplittableRandom r) {
        byte[] b = in.clone();
        if (b.length == 0) {
            return new byte[] {(byte) r.nextInt(256)};
        }
        switch (r.nextInt(8)) {
            case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b[r.nextInt(b.length)] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, '"', ',', '[', ']', '{', '}', '\''}[r.nextInt(11)];
            case 2 -> {
                // A boundary integer over a length, offset or version field (little-endian).
                long v = BOUNDARY[r.nextInt(BOUNDARY.length)];
                int width = r.nextBoolean() ? 8 : r.nextBoolean() ? 4 : 2;
                int at = r.nextInt(4) == 0 ? 0 : r.nextInt(Math.max(1, b.length - width + 1));
                if (at + width <= b.length) {
                    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                    switch (width) {
                        case 8 -> bb.putLong(at, v);
                        case 4 -> bb.putInt(at, (int) v);
                        default -> bb.putShort(at, (short) v);
                    }
                }
            }
            case 3 -> {
                // Edit a number inside a text header: change a digit or insert more digits.
                List<Integer> digits = new ArrayList<>();
                for (int i = 0; i < Math.min(b.length, 4096); i++) {
                    if (b[i] >= '0' && b[i] <= '9') {
                        digits.add(i);
                    }
                }
                if (!digits.isEmpty()) {
                    int at = digits.get(r.nextInt(digits.size()));
                    if (r.nextBoolean()) {
                        b[at] = (byte) ('0' + r.nextInt(10));
                    } else {
                        String more = Long.toString(BOUNDARY[r.nextInt(BOUNDARY.length)]);
                        b = splice(b, at, more.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0);
                    }
                }
            }
            case 4 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 5 -> {
                byte[] extra = new byte[1 + r.nextInt(64)];
                r.nextBytes(extra);
                b = splice(b, b.length, extra, 0);
            }
            case 6 -> {
                byte[] other = pool.get(r.nextInt(pool.size()));
                if (other.length > 0) {
                    int from = r.nextInt(other.length);
                    int len = 1 + r.nextInt(Math.min(64, other.length - from));
                    byte[] chunk = java.util.Arrays.copyOfRange(other, from, from + len);
                    b = splice(b, r.nextInt(b.length + 1), chunk, r.nextBoolean() ? chunk.length : 0);
                }
            }
            default -> {
                int at = r.nextInt(b.length);
                int len = 1 + r.nextInt(Math.min(16, b.length - at));
                b = splice(b, at, new byte[0], len);
            }
        }
        return b;
    }

    /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    private static byte[] splice(byte[] b, int at, byte[] insert, int remove) {
        int rm = Math.min(remove, b.length - at);
        byte[] out = new byte[b.length - rm + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + rm, out, at + insert.length, b.length - at - rm);
        return out;
    }
}
