package dev.qvg.reliability;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Decisions drawn from fuzzer bytes, front to back; an exhausted source answers zero. Used
 * instead of Jazzer's {@code FuzzedDataProvider} so the same structured target runs under Jazzer
 * (raw {@code byte[]}, its fastest signature) and under the seeded in-suite mutator.
 */
final class ByteSource {

    private final byte[] data;
    private int pos;

    ByteSource(byte[] data) {
        this.data = data;
    }

    boolean exhausted() {
        return pos >= data.length;
    }

    int nextByte() {
        return pos < data.length ? data[pos++] & 0xFF : 0;
    }

    /** A value in {@code [0, bound)}; bound at most 2^24. */
    int below(int bound) {
        int v = (nextByte() << 16) | (nextByte() << 8) | nextByte();
        return Math.floorMod(v, bound);
    }

    int anyInt() {
        return (nextByte() << 24) | (nextByte() << 16) | (nextByte() << 8) | nextByte();
    }

    long anyLong() {
        return ((long) anyInt() << 32) | (anyInt() & 0xFFFFFFFFL);
    }

    byte[] bytes(int max) {
        int n = Math.min(below(max + 1), data.length - Math.min(pos, data.length));
        byte[] out = Arrays.copyOfRange(data, Math.min(pos, data.length), Math.min(pos, data.length) + n);
        pos += n;
        return out;
    }

    String string(int max) {
        return new String(bytes(max), StandardCharsets.ISO_8859_1);
    }

    <T> T pick(List<T> options) {
        return options.get(below(options.size()));
    }
}
