package dev.qvg.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A safetensors file as plain editable parts, written independently of qvg-io's writer so tests
 * can build files that writer refuses to produce: any dtype string, any shape, any metadata.
 * {@link #sign()} recomputes the quantized-cache format's SHA-256 digests (format of qvg-io's
 * README: one per tensor, one over the sorted header lines) so a forged file passes the checksum
 * gate and reaches the decoding logic behind it, as a file written by another program would.
 */
final class RawSafeTensors {

    /** A tensor entry: dtype name as written, shape, little-endian data. */
    static final class Tensor {
        String dtype;
        long[] shape;
        byte[] data;

        Tensor(String dtype, long[] shape, byte[] data) {
            this.dtype = dtype;
            this.shape = shape.clone();
            this.data = data;
        }

        Tensor copy() {
            return new Tensor(dtype, shape, data.clone());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, String> metadata = new LinkedHashMap<>();
    final Map<String, Tensor> tensors = new LinkedHashMap<>();

    RawSafeTensors copy() {
        RawSafeTensors c = new RawSafeTensors();
        c.metadata.putAll(metadata);
        tensors.forEach((k, v) -> c.tensors.put(k, v.copy()));
        return c;
    }

    /** Parses a well-formed file (seeds only: no validation beyond what parsing needs). */
    static RawSafeTensors parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        RawSafeTensors out = new RawSafeTensors();
        try {
            JsonNode root = JSON.readTree(new String(file, 8, n, StandardCharsets.UTF_8));
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> out.metadata.put(m.getKey(), m.getValue().textValue()));
                    continue;
                }
                JsonNode t = e.getValue();
                long[] shape = new long[t.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.get("shape").get(i).longValue();
                }
                int begin = t.get("data_offsets").get(0).intValue(), end = t.get("data_offsets").get(1).intValue();
                byte[] data = new byte[end - begin];
                System.arraycopy(file, 8 + n + begin, data, 0, data.length);
                out.tensors.put(e.getKey(), new Tensor(t.get("dtype").textValue(), shape, data));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("seed is not a safetensors file", e);
        }
        return out;
    }

    /** The file bytes: length, JSON header padded with spaces to 8 bytes, data in entry order. */
    byte[] encode() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = root.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype);
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape) {
                shape.add(d);
            }
            ArrayNode off = t.putArray("data_offsets");
            off.add(offset);
            offset += e.getValue().data.length;
            off.add(offset);
        }
        byte[] header;
        try {
            header = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (header.length + 7) / 8 * 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array();
        out.writeBytes(len);
        out.writeBytes(header);
        for (int i = header.length; i < padded; i++) {
            out.write(' ');
        }
        tensors.values().forEach(t -> out.writeBytes(t.data));
        return out.toByteArray();
    }

    /** Recomputes every {@code qvg.sha256.*} entry and the header digest (and drops digests of absent tensors). */
    RawSafeTensors sign() {
        metadata.keySet().removeIf(k -> k.startsWith("qvg.sha256."));
        tensors.forEach((name, t) -> metadata.put("qvg.sha256." + name, sha256(t.data)));
        metadata.remove("qvg.header_sha256");
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(metadata).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        new TreeMap<>(tensors).forEach((name, t) -> {
            sb.append("tensor ").append(name).append(' ').append(t.dtype).append(' ');
            for (int i = 0; i < t.shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(t.shape[i]);
            }
            sb.append('\n');
        });
        metadata.put("qvg.header_sha256", sha256(sb.toString().getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
