package dev.qvg.reliability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns fuzzer bytes into a quantized-cache file that is structurally edited but correctly
 * signed: starting from a valid seed, it rewrites metadata values, drops or adds keys, reshapes,
 * retypes, renames, drops or overwrites tensors (keeping each tensor's data the size its new
 * dtype and shape need), then recomputes every digest. Random bytes almost never get past a
 * SHA-256 check, so without this the decoding logic behind the checksums would go unfuzzed.
 */
final class QuantizedFileForge {

    /** Values that sit on the edges the decoder must check: signs, int overflow, enum names, JSON oddities. */
    static final List<String> EDGE_VALUES = List.of("", "-1", "0", "1", "2", "3", "8", "255", "256", "257", "65535",
            "65536", "65537", "2147483647", "2147483648", "-2147483648", "9223372036854775807", "99999999999999999999",
            "1.5", "NaN", "true", "false", "null", "{}", "{\"a\":null}", "{\"a\":{}}", "[]", "[1]", "{\"a\":\"b\"}",
            "TOKEN_MAJOR", "CHANNEL_MAJOR", "KEY", "VALUE", "BF16", "FP8_E4M3", "rtn", "prq", "k", "v", "k,v", "k,k",
            ",", "k,", "1,1,1,1", "0,1,1,1", "1,1,0,1", "1,2,3", "1,1,1,1,1", "-1,1,1,1",
            "2147483647,2147483647,2147483647,2147483647", "1,1,2147483647,1", "65536,65536,1,1", "qvg-quantized-kv");
    static final List<String> DTYPES = List.of("U8", "U16", "I32", "F32", "F16", "BF16", "I64", "BOOL", "");
    static final List<String> SUFFIXES = List.of(".codes", ".scales", ".zeros", ".tail", ".stage0.centroids",
            ".stage0.ids", ".stage0.iterations", ".stage1.centroids", ".stage1.ids", ".stage1.iterations",
            ".stage2.ids", ".shape", ".role", ".method", ".orientation", ".quantized_tokens", ".bits", ".block_size",
            ".symmetric", ".scale_precision", ".rows", ".cols", ".stages", ".stage0.clusters", ".stage1.clusters",
            ".tail_tokens", ".info", ".budget.total_bits");

    private QuantizedFileForge() {
    }

    /** Forges a signed file from {@code input}: its first byte picks the seed, the rest drive the edits. */
    static byte[] forge(List<RawSafeTensors> seeds, byte[] input) {
        ByteSource src = new ByteSource(input);
        RawSafeTensors f = seeds.get(src.below(seeds.size())).copy();
        int edits = 1 + src.below(6);
        for (int i = 0; i < edits && !src.exhausted(); i++) {
            edit(f, src);
        }
        return f.sign().encode();
    }

    private static void edit(RawSafeTensors f, ByteSource src) {
        List<String> keys = new ArrayList<>(f.metadata.keySet());
        List<String> names = new ArrayList<>(f.tensors.keySet());
        switch (src.below(10)) {
            case 0 -> f.metadata.put(src.pick(keys), src.pick(EDGE_VALUES));
            case 1 -> f.metadata.put(src.pick(keys), Integer.toString(src.below(2) == 0 ? src.anyInt() : src.below(600) - 50));
            case 2 -> f.metadata.put(src.pick(keys), src.string(24));
            case 3 -> f.metadata.remove(src.pick(keys));
            case 4 -> f.metadata.put(src.pick(List.of("k", "v")) + src.pick(SUFFIXES), src.pick(EDGE_VALUES));
            case 5 -> {
                if (names.isEmpty()) {
                    return;
                }
                RawSafeTensors.Tensor t = f.tensors.get(src.pick(names));
                long[] shape = src.below(4) == 0 ? new long[src.below(5)] : t.shape.clone();
                if (shape.length > 0) {
                    shape[src.below(shape.length)] = src.below(4) == 0 ? src.below(70000) : src.below(300);
                }
                resize(t, t.dtype, shape, src);
            }
            case 6 -> {
                if (!names.isEmpty()) {
                    RawSafeTensors.Tensor t = f.tensors.get(src.pick(names));
                    resize(t, src.pick(DTYPES), t.shape, src);
                }
            }
            case 7 -> {
                if (!names.isEmpty()) {
                    RawSafeTensors.Tensor t = f.tensors.get(src.pick(names));
                    if (t.data.length > 0) {
                        byte[] patch = src.bytes(16);
                        int at = src.below(t.data.length);
                        System.arraycopy(patch, 0, t.data, at, Math.min(patch.length, t.data.length - at));
                    }
                }
            }
            case 8 -> {
                if (!names.isEmpty()) {
                    f.tensors.remove(src.pick(names));
                }
            }
            default -> {
                if (!names.isEmpty()) {
                    String from = src.pick(names);
                    String to = src.pick(List.of("k", "v")) + src.pick(SUFFIXES);
                    RawSafeTensors.Tensor t = src.below(2) == 0 ? f.tensors.remove(from) : f.tensors.get(from).copy();
                    f.tensors.put(to, t);
                }
            }
        }
    }

    /** Gives {@code t} a new dtype and shape with data of exactly the size they need (capped at 1 MiB). */
    private static void resize(RawSafeTensors.Tensor t, String dtype, long[] shape, ByteSource src) {
        long n = width(dtype);
        for (long d : shape) {
            n *= d;
        }
        if (n > (1 << 20)) {
            return;
        }
        t.dtype = dtype;
        t.shape = shape;
        byte[] data = Arrays.copyOf(t.data, (int) n);
        if (src.below(2) == 0 && data.length > 0) {
            byte[] fill = src.bytes(8);
            for (int i = 0; i < data.length && fill.length > 0; i++) {
                data[i] = fill[i % fill.length];
            }
        }
        t.data = data;
    }

    private static int width(String dtype) {
        return switch (dtype) {
            case "U8", "BOOL", "" -> 1;
            case "U16", "F16", "BF16" -> 2;
            case "I32", "F32" -> 4;
            default -> 8;
        };
    }
}
