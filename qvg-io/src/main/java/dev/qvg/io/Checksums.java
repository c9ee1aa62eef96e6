package dev.qvg.io;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 digests of the quantized-cache format. SHA-256 rather than CRC32C because Python's
 * standard library ({@code hashlib}) verifies it with no extra package; the files are small
 * (a 2-bit cache is an eighth of its BF16 source), so the cost does not matter.
 */
final class Checksums {

    private Checksums() {
    }

    static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    /**
     * Digest over the header: every metadata entry except {@code excludedKey}, sorted by key, as
     * {@code key=value\n}, then every tensor sorted by name as
     * {@code tensor NAME DTYPE d0,d1,...\n}, all UTF-8. Reproducible in a few lines of Python.
     */
    static String headerDigest(Map<String, String> metadata, Map<String, TensorInfo> tensors, String excludedKey) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(metadata).forEach((k, v) -> {
            if (!k.equals(excludedKey)) {
                sb.append(k).append('=').append(v).append('\n');
            }
        });
        new TreeMap<>(tensors).forEach((name, t) -> {
            sb.append("tensor ").append(name).append(' ').append(t.dtype().safetensorsName()).append(' ');
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(shape[i]);
            }
            sb.append('\n');
        });
        return sha256Hex(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
