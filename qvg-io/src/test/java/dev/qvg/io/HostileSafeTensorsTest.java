package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One crafted file per way a safetensors file can lie; each must be refused with a clear message. */
class HostileSafeTensorsTest {

    @TempDir
    Path dir;

    private Path craft(long declaredHeaderLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        Path p = Files.createTempFile(dir, "hostile", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private Path craft(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return craft(h.length, h, new byte[dataBytes]);
    }

    private CorruptFileException refused(Path p, String... fragments) {
        return refused(p, ReadLimits.defaults(), fragments);
    }

    private CorruptFileException refused(Path p, ReadLimits limits, String... fragments) {
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> {
            try (SafeTensorsReader r = SafeTensorsReader.open(p, limits)) {
                for (String n : r.names()) {
                    r.kvTensor(n);
                }
            }
        });
        assertTrue(e.getMessage().startsWith(p.toString()), "message names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e;
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path p = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
        refused(p, "fewer than the 8-byte header length");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        refused(craft(1000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]), "declares 1000 header bytes", "only 2");
        // 2^63 and above read as negative longs: still refused, reported unsigned.
        refused(craft(-1L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]), "18446744073709551615");
    }

    @Test
    void headerLargerThanTheCap() throws IOException {
        Path p = craft("{\"__metadata__\":{\"a\":\"" + "x".repeat(200) + "\"}}", 0);
        CorruptFileException e = refused(p, ReadLimits.defaults().withMaxHeaderBytes(64), "more than the cap of 64");
        assertEquals("header length", e.part());
    }

    @Test
    void badJson() throws IOException {
        refused(craft("{\"k\": {\"dtype\": ", 0), "header", "not valid JSON");
        refused(craft("[1, 2]  ", 0), "must be a JSON object");
        refused(craft("{}  {\"k\":1}", 0), "not valid JSON", "Trailing token");
        refused(craft("{} \u0000", 0), "not valid JSON");
        refused(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "Duplicate field 'a'");
    }

    @Test
    void malformedEntries() throws IOException {
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4), "unknown field 'extra'");
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "shape[0] must be a non-negative");
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "shape[0] must be a non-negative");
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4), "data_offsets must have 2 entries");
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4), "end before they begin");
        refused(craft("{\"__metadata__\":{\"a\":1}}", 0), "value of 'a' must be a string");
    }

    @Test
    void unknownDtype() throws IOException {
        refused(craft("{\"k\":{\"dtype\":\"Q4_K\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'k'",
                "unknown or unsupported dtype 'Q4_K'");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        // The header claims 4 TiB of data in a 16-byte file: refused before any allocation.
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4398046511104]}}", 16),
                "reach beyond the data section of 16 bytes");
    }

    @Test
    void offsetsOverlapping() throws IOException {
        refused(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap tensor 'a'");
    }

    @Test
    void offsetsLeavingGapsOrTrailingBytes() throws IOException {
        refused(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "gap of 4");
        refused(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12), "trailing bytes");
    }

    @Test
    void offsetsNotMatchingDtypeTimesShape() throws IOException {
        refused(craft("{\"k\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16),
                "hold 16 bytes but BF16 x [2, 2] needs 8");
    }

    @Test
    void shapeOverflow() throws IOException {
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,4]}}", 4),
                "overflows");
    }

    @Test
    void truncatedData() throws IOException {
        Path good = dir.resolve("good.safetensors");
        new SafeTensorsWriter().addFloats("k", DType.F32, new long[] {4, 4}, new float[16]).write(good, false);
        byte[] all = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(all, all.length - 10));
        refused(cut, "tensor 'k'", "file truncated");
    }

    @Test
    void nonFiniteValuesInKvTensors() throws IOException {
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f)
                .putFloat(Float.NaN).putFloat(3f).array();
        byte[] h = "{\"k\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}".getBytes(StandardCharsets.UTF_8);
        Path f = craft(h.length, h, data);
        refused(f, "tensor 'k'", "non-finite value NaN at (b=0, h=0, s=1, d=0)");
        // Explicitly allowed, the same file loads.
        try (SafeTensorsReader r = SafeTensorsReader.open(f, ReadLimits.defaults().withRequireFinite(false))) {
            assertTrue(Float.isNaN(r.kvTensor("k").get(0, 0, 1, 0)));
        }
    }

    @Test
    void tensorSizeCap() throws IOException {
        Path p = dir.resolve("big.safetensors");
        new SafeTensorsWriter().addFloats("k", DType.F32, new long[] {64}, new float[64]).write(p, false);
        refused(p, ReadLimits.defaults().withMaxTensorBytes(128), "256 bytes exceed the tensor size cap of 128");
    }

    @Test
    void wrongRankForKv() throws IOException {
        refused(craft("{\"k\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1],\"data_offsets\":[0,4]}}", 4), "rank 5");
    }
}
