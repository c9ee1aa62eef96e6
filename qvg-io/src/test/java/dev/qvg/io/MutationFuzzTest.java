package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.fail;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.tensor.KvShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random damage to valid files (flipped bytes, changed lengths, truncation): every
 * damaged file must either load or be refused with {@link CorruptFileException}; any other
 * exception (an index error, an out-of-memory, a number-format error) is a hole in validation.
 */
class MutationFuzzTest {

    @TempDir
    Path dir;

    private static final int ROUNDS = 1500;

    private byte[] mutate(byte[] good, SplittableRandom rng, int headerEnd) {
        byte[] b = good.clone();
        switch (rng.nextInt(4)) {
            case 0 -> { // a byte anywhere
                b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
            }
            case 1 -> { // a byte in the header, where the structure is
                b[8 + rng.nextInt(headerEnd - 8)] = (byte) ("0123456789[]{},:\" -".charAt(rng.nextInt(19)));
            }
            case 2 -> { // the length field
                b[rng.nextInt(8)] = (byte) rng.nextInt(256);
            }
            default -> { // truncation
                b = java.util.Arrays.copyOf(b, rng.nextInt(b.length));
            }
        }
        return b;
    }

    private static boolean isJsonWhitespaceEdit(byte a, byte b) {
        return " \t\r\n".indexOf(a) >= 0 && " \t\r\n".indexOf(b) >= 0;
    }

    private static int headerEnd(byte[] b) {
        return 8 + (int) java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void damagedSafetensorsIsLoadedOrRefusedCleanly() throws Exception {
        Path good = dir.resolve("good.safetensors");
        new SafeTensorsWriter().metadata("m", "v")
                .addFloats("k", DType.BF16, new long[] {1, 2, 8, 4}, SafeTensorsRoundTripTest.representable(DType.BF16, 64, 1))
                .addFloats("v", DType.F16, new long[] {2, 8, 4}, SafeTensorsRoundTripTest.representable(DType.F16, 64, 2))
                .addBytes("ids", new long[] {16}, new byte[16]).write(good, false);
        byte[] bytes = Files.readAllBytes(good);
        SplittableRandom rng = new SplittableRandom(20261125);
        Path p = dir.resolve("bad.safetensors");
        for (int i = 0; i < ROUNDS; i++) {
            Files.write(p, mutate(bytes, rng, headerEnd(bytes)));
            try (SafeTensorsReader r = SafeTensorsReader.open(p)) {
                for (String n : r.names()) {
                    if (r.info(n).dtype().isFloating()) {
                        r.kvTensor(n);
                    } else {
                        r.bytes(n);
                    }
                }
            } catch (CorruptFileException expected) {
                // refused cleanly
            } catch (Exception | Error e) {
                fail("round " + i + ": damaged file escaped validation with " + e, e);
            }
        }
    }

    @Test
    void damagedQuantizedCacheIsLoadedOrRefusedCleanly() throws Exception {
        Path good = dir.resolve("good.qvg.safetensors");
        QuantizedKvFile.write(good, Map.of("k", QuantizedKvFileTest.sample(new KvShape(1, 2, 16, 16),
                BlockQuantConfig.publishedInt2().withBlockSize(8), Orientation.TOKEN_MAJOR, 1, 4, 4, 3)), false);
        byte[] bytes = Files.readAllBytes(good);
        SplittableRandom rng = new SplittableRandom(7);
        Path p = dir.resolve("bad.qvg.safetensors");
        int loaded = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] m = mutate(bytes, rng, headerEnd(bytes));
            Files.write(p, m);
            try {
                QuantizedKvFile.read(p);
                if (!java.util.Arrays.equals(m, bytes)) {
                    // Only harmless edits may load: the same length, a difference only in the header's
                    // padding or JSON whitespace (the digests cover meaning, not formatting).
                    loaded++;
                    for (int j = 0; j < m.length; j++) {
                        if (m[j] != bytes[j] && (j < 8 || j >= headerEnd(bytes) || !isJsonWhitespaceEdit(m[j], bytes[j]))) {
                            fail("round " + i + ": a file changed at byte " + j + " still loaded");
                        }
                    }
                }
            } catch (CorruptFileException expected) {
                // refused cleanly
            } catch (Exception | Error e) {
                fail("round " + i + ": damaged file escaped validation with " + e, e);
            }
        }
        System.out.println("quantized-cache fuzz: " + loaded + " of " + ROUNDS + " damaged files still loaded (harmless edits)");
    }
}
