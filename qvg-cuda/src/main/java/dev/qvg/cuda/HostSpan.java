package dev.qvg.cuda;

/**
 * A run of a Java primitive array ({@code float[]}, {@code int[]}, {@code short[]},
 * {@code byte[]} or {@code long[]}): what one copy between host and device reads or writes.
 *
 * @param from  first element
 * @param count elements
 */
record HostSpan(Object array, int from, int count, int elementBytes) {

    HostSpan {
        int length = java.lang.reflect.Array.getLength(array);
        if (from < 0 || count < 0 || from > length - count) {
            throw new IndexOutOfBoundsException("host span [" + from + ", " + ((long) from + count) + ") outside an array of "
                    + length);
        }
    }

    static HostSpan of(float[] a) {
        return of(a, 0, a.length);
    }

    static HostSpan of(float[] a, int from, int count) {
        return new HostSpan(a, from, count, Float.BYTES);
    }

    static HostSpan of(int[] a) {
        return new HostSpan(a, 0, a.length, Integer.BYTES);
    }

    static HostSpan of(short[] a) {
        return new HostSpan(a, 0, a.length, Short.BYTES);
    }

    static HostSpan of(byte[] a) {
        return new HostSpan(a, 0, a.length, Byte.BYTES);
    }

    static HostSpan of(long[] a) {
        return new HostSpan(a, 0, a.length, Long.BYTES);
    }

    long bytes() {
        return (long) count * elementBytes;
    }

    long byteOffset() {
        return (long) from * elementBytes;
    }
}
