package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;

/**
 * The shape rules of spec section 2 for files: a K or V tensor is stored as {@code [B,H,S,D]},
 * {@code [H,S,D]} or {@code [S,D]} (B = 1 and H = 1 where absent). In BSHD layout the token and
 * head axes swap: {@code [B,S,H,D]} or {@code [S,H,D]}; rank 2 is the same in both layouts.
 */
public final class KvShapes {

    private KvShapes() {
    }

    /** The KvShape of file dims {@code dims} read in {@code layout}; explains any rank or size problem. */
    public static KvShape fromDims(long[] dims, Layout layout) {
        long b = 1, h = 1, s, d;
        switch (dims.length) {
            case 4 -> {
                b = dims[0];
                if (layout == Layout.BHSD) {
                    h = dims[1];
                    s = dims[2];
                } else {
                    s = dims[1];
                    h = dims[2];
                }
                d = dims[3];
            }
            case 3 -> {
                if (layout == Layout.BHSD) {
                    h = dims[0];
                    s = dims[1];
                } else {
                    s = dims[0];
                    h = dims[1];
                }
                d = dims[2];
            }
            case 2 -> {
                s = dims[0];
                d = dims[1];
            }
            default -> throw new IllegalArgumentException("shape " + java.util.Arrays.toString(dims)
                    + ": a K or V tensor must have rank 4 ([B,H,S,D]), 3 ([H,S,D]) or 2 ([S,D]), got rank " + dims.length);
        }
        for (long v : new long[] {b, h, s, d}) {
            if (v <= 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(dims)
                        + ": every dimension of a K or V tensor must be in 1.." + Integer.MAX_VALUE);
            }
        }
        // Counted here, with the file's dims: KvShape's own refusal would not show them.
        java.math.BigInteger n = java.math.BigInteger.valueOf(b).multiply(java.math.BigInteger.valueOf(h))
                .multiply(java.math.BigInteger.valueOf(s)).multiply(java.math.BigInteger.valueOf(d));
        if (n.compareTo(java.math.BigInteger.valueOf(KvShape.MAX_ELEMENTS)) > 0) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(dims) + " has " + n
                    + " elements, more than the " + KvShape.MAX_ELEMENTS + " a K or V tensor may hold;"
                    + " split it by head or by token range");
        }
        return new KvShape((int) b, (int) h, (int) s, (int) d);
    }

    /** Rank-4 file dims of {@code shape} in {@code layout}: {@code [B,H,S,D]} or {@code [B,S,H,D]}. */
    public static long[] toDims(KvShape shape, Layout layout) {
        return layout == Layout.BHSD
                ? new long[] {shape.batch(), shape.heads(), shape.tokens(), shape.headDim()}
                : new long[] {shape.batch(), shape.tokens(), shape.heads(), shape.headDim()};
    }
}
