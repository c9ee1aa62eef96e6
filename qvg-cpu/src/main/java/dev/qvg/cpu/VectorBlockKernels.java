package dev.qvg.cpu;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.PackedBlocks;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * INT2 and INT4 block quantize+pack and unpack+dequantize with the Vector API, bit-exact with
 * {@link dev.qvg.api.quant.BlockCodec} (and so with {@link BlockKernels}). Used only where
 * {@link Simd#enabled()}; the species is the CPU's widest, fixed at class initialisation, which the
 * JIT needs to compile the calls into vector instructions.
 *
 * <p>Quantize: a block's scale (and zero point) come from a vector abs-max (min/max) and the
 * reference's scalar formulas. INT4 codes use the reference's division, rounded exactly (see
 * int4Codes) and packed two per byte (packPairs). INT2 codes need no division: {@link DivisionThresholds} turns
 * {@code fl(x / scale) >= k + 0.5} into {@code x >= T_k}, and a code is a count of comparisons,
 * each the sign bit of a subtraction as in {@link BlockKernels}. Packing four codes per byte
 * (first value in the high bits) works on four vectors at once: lane {@code l} of the four
 * vectors' codes is combined into one int, a byte shuffle puts each value's code in order, and a
 * multiply by {@code 0x40100401} sums each group of four bytes, shifted, into its top byte.
 * Blocks with a non-finite or zero scale go to {@link BlockKernels#quantizeBlock} unchanged.
 *
 * <p>Dequantize (INT2 and INT4): each vector's codes are one broadcast word of packed bytes
 * shifted per lane, masked, offset, converted and multiplied by the scale (then the zero point
 * added: two roundings, as the reference's table), which are the reference's own float operations.
 * The calls go through {@link VectorKernelCalls}, never directly: see there why.
 */
final class VectorBlockKernels {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
    /** Float lanes per vector: 8 or 16 ({@link Simd} admits 256- and 512-bit vectors only). */
    private static final int L = FLOATS.length();
    /** Packed bytes of four vectors of INT2 codes: one byte per lane. */
    private static final VectorSpecies<Byte> PACKED = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    /** Code bytes from "lane-major over four vectors" to value order. */
    private static final VectorShuffle<Byte> TO_VALUE_ORDER = valueOrder();
    /** Per lane: where its 2-bit code sits in a little-endian word of L / 4 packed bytes. */
    private static final IntVector UNPACK_SHIFTS = unpackShifts();
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    /** INT4: lane l's byte l / 2 lies in the low int of the long (0) or the high one (1). */
    private static final VectorShuffle<Integer> INT4_HALF = VectorShuffle.fromOp(INTS, l -> (l / 2) / 4);
    /** INT4: lane l's nibble within its int: byte (l / 2) % 4, high nibble for even l. */
    private static final IntVector INT4_SHIFTS = IntVector.fromArray(INTS, int4Shifts(), 0);
    private static final IntVector ONES = IntVector.broadcast(INTS, 1);
    /** Where rounded quotients start reaching the code boundaries 0.5, 1.5 and 2.5. */
    private static final double HALF = DivisionThresholds.midpointBelow(0.5f);
    private static final double ONE_AND_HALF = DivisionThresholds.midpointBelow(1.5f);
    private static final double TWO_AND_HALF = DivisionThresholds.midpointBelow(2.5f);
    private static final float TWO_POW_23 = 0x1p23f;
    private static final int INFINITY_BITS = Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
    private static final int TWO_POW_23_BITS = Float.floatToRawIntBits(TWO_POW_23);
    /**
     * Blocks per pass of the quantizer: 32 blocks of 64 floats are 8 KiB of input, which the
     * second pass finds in L1. Measured (S=65536, INT2, 1 thread): 16, 32, 48, 64, 128, 256
     * blocks took 1.56, 1.49-1.51, 1.75, 1.95, 2.01, 1.97 ms; at 128 the second pass re-reads L2.
     */
    private static final int CHUNK_BLOCKS = 32;
    /** Sums bytes 0..3 of an int, shifted by 6, 4, 2, 0 bits, into byte 3 (no carries: codes < 4). */
    private static final int PACK_FOUR = 0x40100401;
    private static final int[][] NO_IDS = new int[0][];
    private static final float[][] NO_CENTROIDS = new float[0][];
    private static final int[] NO_CLUSTERS = new int[0];
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private VectorBlockKernels() {
    }

    /** Whether {@link #quantizeRows} handles this configuration (INT2, blocks of four vectors). */
    static boolean quantizes(BlockQuantConfig c) {
        return c.bits() == 2 && c.blockSize() % (4 * L) == 0 || c.bits() == 4 && c.blockSize() % (2 * L) == 0;
    }

    /** Whether {@link #dequantizeRows} and {@link #decodeRows} handle this configuration (INT2 or INT4, blocks of whole vectors). */
    static boolean dequantizes(BlockQuantConfig c) {
        return (c.bits() == 2 || c.bits() == 4) && c.blockSize() % L == 0;
    }

    static void quantizeRows(float[] x, PackedBlocks out, int from, int to) {
        if (out.config().symmetric()) {
            symmetricRows(x, out, from, to);
        } else {
            asymmetricRows(x, out, from, to);
        }
    }

    /**
     * Symmetric INT2: offset codes 0, 1, 2 ({@code 1 + [q >= 0.5] - [q <= -0.5]}). Two passes
     * over chunks of blocks small enough to stay in cache: first every block's scale and
     * threshold, then the codes. A block's scalar chain (reduce, divide, round the scale, the
     * threshold) is long but independent of its neighbours', so in a pass of its own the CPU
     * overlaps many of them instead of stalling the vector work behind each one.
     */
    private static void symmetricRows(float[] x, PackedBlocks out, int from, int to) {
        int blocksPerRow = out.blocksPerRow();
        boolean int2 = out.config().bits() == 2;
        int[][] fallbackCodes = new int[1][];
        float[] threshold = new float[CHUNK_BLOCKS];
        int[] maxima = new int[L];
        int[] int4Codes = int2 ? null : new int[CHUNK_BLOCKS * out.config().blockSize()];
        for (int k0 = from * blocksPerRow, end = to * blocksPerRow; k0 < end; k0 += CHUNK_BLOCKS) {
            int n = Math.min(CHUNK_BLOCKS, end - k0);
            // Separate methods: one method with both passes grows past what the JIT inlines, and
            // a Vector API call left out of line boxes every vector.
            if (out.config().scalePrecision() == ScalePrecision.BF16) {
                symmetricBf16Scales(x, out, k0, n, threshold, maxima, fallbackCodes);
            } else {
                symmetricScales(x, out, k0, n, threshold, fallbackCodes);
            }
            if (int2) {
                symmetricPack(x, out, k0, n, threshold);
            } else {
                int4Pack(x, out, k0, n, null, threshold, int4Codes);
            }
        }
    }

    /**
     * Pass 1: scale and threshold of blocks {@code k0 .. k0 + n - 1}. Rows are whole blocks and
     * INT2 blocks whole bytes, so block {@code k} starts at {@code x[k * block]} and its codes at
     * {@code k * block / 4}. A block with a zero or non-finite scale is written by the scalar
     * kernel and marked with a NaN threshold.
     */
    private static void symmetricScales(float[] x, PackedBlocks out, int k0, int n, float[] threshold, int[][] fallbackCodes) {
        symmetricScales(x, out, k0, n, threshold, 0, fallbackCodes);
    }

    /** As above, block {@code k0 + j}'s threshold at {@code threshold[t0 + j]}. */
    private static void symmetricScales(float[] x, PackedBlocks out, int k0, int n, float[] threshold, int t0,
                                        int[][] fallbackCodes) {
        BlockQuantConfig c = out.config();
        boolean int2 = c.bits() == 2;
        float qmax = c.qmax();
        int block = c.blockSize(), blocksPerRow = out.blocksPerRow();
        ScalePrecision p = c.scalePrecision();
        boolean fp8 = p == ScalePrecision.FP8_E4M3;
        short[] scales = out.scales();
        for (int j = 0; j < n; j++) {
            int k = k0 + j, at = k * block;
            // |x| compares as its bits do (non-negative floats order like ints), and integer
            // max is a single instruction where Math.max's NaN and -0 rules are not; a NaN
            // wins as the reference's Math.max does and sends the block to the fallback.
            IntVector m = absBits(FloatVector.fromArray(FLOATS, x, at));
            for (int i = L; i < block; i += L) {
                m = m.max(absBits(FloatVector.fromArray(FLOATS, x, at + i)));
            }
            float absmax = Float.intBitsToFloat(m.reduceLanes(VectorOperators.MAX));
            float scale = Math.max(absmax / qmax, BlockQuantConfig.MIN_SCALE);
            float used = fp8 ? p.round(scale) : scale;
            if (used == 0f || !Float.isFinite(used)) {
                fallbackCodes[0] = fallback(x, out, k / blocksPerRow, k % blocksPerRow, fallbackCodes[0]);
                threshold[t0 + j] = Float.NaN; // written; skip in the second pass
                continue;
            }
            scales[k] = p.encode(scale);
            threshold[t0 + j] = int2 ? DivisionThresholds.atLeast(used, HALF) : used;
        }
    }

    /**
     * Pass 1 for symmetric blocks with bf16 scales, L blocks at a time: the blocks' abs-maxima
     * are gathered into one vector (lane l: block l), so the scale, its bf16 word and what pass 2
     * needs (INT2: the threshold, {@link DivisionThresholds#half}; INT4: the scale itself) are a
     * few vector operations for L blocks instead of a scalar chain for each. A group with a
     * non-finite maximum, and the last {@code n % L} blocks, take {@link #symmetricScales} (which
     * also handles the fallback).
     */
    private static void symmetricBf16Scales(float[] x, PackedBlocks out, int k0, int n, float[] threshold,
                                                int[] maxima, int[][] fallbackCodes) {
        int block = out.config().blockSize();
        float qmax = out.config().qmax();
        boolean int2 = out.config().bits() == 2;
        short[] scales = out.scales();
        int j = 0;
        for (; j + L <= n; j += L) {
            int at = (k0 + j) * block;
            // Written out here, not in a helper: a helper the JIT has already compiled on its own
            // may not be inlined again, and a vector returned from a call is boxed.
            int largest = 0;
            for (int b = 0, from = at; b < L; b++, from += block) {
                IntVector m = absBits(FloatVector.fromArray(FLOATS, x, from));
                for (int i = L; i < block; i += L) {
                    m = m.max(absBits(FloatVector.fromArray(FLOATS, x, from + i)));
                }
                int mb = m.reduceLanes(VectorOperators.MAX);
                maxima[b] = mb;
                largest = Math.max(largest, mb);
            }
            // Non-negative float bits order as ints; infinity and NaN are the largest.
            if (largest >= INFINITY_BITS) {
                symmetricScales(x, out, k0 + j, L, threshold, j, fallbackCodes);
                continue;
            }
            // The reference's max(absmax / qmax, MIN_SCALE), finite and at least MIN_SCALE: normal.
            FloatVector scale = IntVector.fromArray(INTS, maxima, 0).reinterpretAsFloats().div(qmax).max(BlockQuantConfig.MIN_SCALE);
            IntVector sb = scale.reinterpretAsInts();
            // bf16, round to nearest even (Bf16.fromFloat for finite values).
            IntVector word = sb.add(sb.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7FFF)
                    .lanewise(VectorOperators.LSHR, 16);
            word.intoArray(maxima, 0);
            for (int b = 0; b < L; b++) {
                scales[k0 + j + b] = (short) maxima[b];
            }
            // Two stores, not one of a conditional vector: a vector chosen at a merge point may be boxed.
            if (int2) {
                scale.mul(0.5f).intoArray(threshold, j); // DivisionThresholds.half
            } else {
                scale.intoArray(threshold, j);
            }
        }
        if (j < n) {
            symmetricScales(x, out, k0 + j, n - j, threshold, j, fallbackCodes);
        }
    }

    /** Pass 2: codes of blocks {@code k0 .. k0 + n - 1}, packed. */
    private static void symmetricPack(float[] x, PackedBlocks out, int k0, int n, float[] threshold) {
        int block = out.config().blockSize();
        byte[] dst = out.codes();
        for (int j = 0; j < n; j++) {
            float t = threshold[j];
            if (t != t) {
                continue;
            }
            FloatVector nt = FloatVector.broadcast(FLOATS, -t);
            int at = (k0 + j) * block;
            for (int g = 0; g < block; g += 4 * L) {
                // Byte i of each int lane: the code of the group's i-th vector. Each vector gives
                // code - 1 in -1..1; the sum of those shifted, plus 1 in every byte, is exact
                // integer arithmetic and leaves each code in its byte.
                IntVector lanes = symmetricCodeMinusOne(FloatVector.fromArray(FLOATS, x, at + g), t, nt).add(0x01010101);
                for (int i = 1; i < 4; i++) {
                    lanes = lanes.add(symmetricCodeMinusOne(FloatVector.fromArray(FLOATS, x, at + g + i * L), t, nt)
                            .lanewise(VectorOperators.LSHL, 8 * i));
                }
                pack(lanes, dst, (at + g) / 4);
            }
        }
    }

    /** Asymmetric INT2: codes 0..3, {@code [q >= 0.5] + [q >= 1.5] + [q >= 2.5]}; two passes as above. */
    private static void asymmetricRows(float[] x, PackedBlocks out, int from, int to) {
        int blocksPerRow = out.blocksPerRow();
        boolean int2 = out.config().bits() == 2;
        int[][] fallbackCodes = new int[1][];
        float[] zero = new float[CHUNK_BLOCKS], t0 = new float[CHUNK_BLOCKS];
        float[] t1 = new float[CHUNK_BLOCKS], t2 = new float[CHUNK_BLOCKS];
        int[] int4Codes = int2 ? null : new int[CHUNK_BLOCKS * out.config().blockSize()];
        for (int k0 = from * blocksPerRow, end = to * blocksPerRow; k0 < end; k0 += CHUNK_BLOCKS) {
            int n = Math.min(CHUNK_BLOCKS, end - k0);
            // Separate methods: one method with both passes grows past what the JIT inlines, and
            // a Vector API call left out of line boxes every vector.
            asymmetricScales(x, out, k0, n, zero, t0, t1, t2, fallbackCodes);
            if (int2) {
                asymmetricPack(x, out, k0, n, zero, t0, t1, t2);
            } else {
                int4Pack(x, out, k0, n, zero, t0, int4Codes);
            }
        }
    }

    /**
     * Pass 1: scale, zero point and thresholds of blocks {@code k0 .. k0 + n - 1}; a block with
     * a zero or non-finite scale or zero point is written by the scalar kernel and marked with a
     * NaN {@code t0}.
     */
    private static void asymmetricScales(float[] x, PackedBlocks out, int k0, int n,
                                         float[] zero, float[] t0, float[] t1, float[] t2, int[][] fallbackCodes) {
        BlockQuantConfig c = out.config();
        boolean int2 = c.bits() == 2;
        float qmax = c.qmax();
        int block = c.blockSize(), blocksPerRow = out.blocksPerRow();
        ScalePrecision p = c.scalePrecision();
        boolean fp8 = p == ScalePrecision.FP8_E4M3;
        short[] scales = out.scales(), zeros = out.zeros();
        for (int j = 0; j < n; j++) {
            int k = k0 + j, at = k * block;
            // Min and max as integers over order-preserving keys (see sortKey); a NaN of either
            // sign lands beyond an infinity, makes the scale non-finite and the block fall back.
            IntVector lo = sortKey(FloatVector.fromArray(FLOATS, x, at)), hi = lo;
            for (int i = L; i < block; i += L) {
                IntVector key = sortKey(FloatVector.fromArray(FLOATS, x, at + i));
                lo = lo.min(key);
                hi = hi.max(key);
            }
            float mn = fromSortKey(lo.reduceLanes(VectorOperators.MIN));
            float mx = fromSortKey(hi.reduceLanes(VectorOperators.MAX));
            float scale = Math.max((mx - mn) / qmax, BlockQuantConfig.MIN_SCALE);
            float usedScale = fp8 ? p.round(scale) : scale;
            float usedZero = fp8 ? p.round(mn) : mn;
            if (usedScale == 0f || !Float.isFinite(usedScale) || !Float.isFinite(usedZero)) {
                fallbackCodes[0] = fallback(x, out, k / blocksPerRow, k % blocksPerRow, fallbackCodes[0]);
                t0[j] = Float.NaN; // written; skip in the second pass
                continue;
            }
            scales[k] = p.encode(scale);
            zeros[k] = p.encode(mn);
            zero[j] = usedZero;
            if (!int2) {
                t0[j] = usedScale; // INT4 divides, as the reference does
                continue;
            }
            t0[j] = DivisionThresholds.atLeast(usedScale, HALF);
            t1[j] = DivisionThresholds.atLeast(usedScale, ONE_AND_HALF);
            t2[j] = DivisionThresholds.atLeast(usedScale, TWO_AND_HALF);
        }
    }

    /** Pass 2: codes of blocks {@code k0 .. k0 + n - 1}, packed. */
    private static void asymmetricPack(float[] x, PackedBlocks out, int k0, int n,
                                       float[] zero, float[] t0, float[] t1, float[] t2) {
        int block = out.config().blockSize();
        byte[] dst = out.codes();
        for (int j = 0; j < n; j++) {
            if (t0[j] != t0[j]) {
                continue;
            }
            float z = zero[j], a = t0[j], b = t1[j], d = t2[j];
            int at = (k0 + j) * block;
            for (int g = 0; g < block; g += 4 * L) {
                // Byte i of each int lane: the code of the group's i-th vector.
                // As for symmetric codes: code - 3 per vector, 3 added to every byte once.
                IntVector lanes = asymmetricCodeMinusThree(FloatVector.fromArray(FLOATS, x, at + g), z, a, b, d).add(0x03030303);
                for (int i = 1; i < 4; i++) {
                    lanes = lanes.add(asymmetricCodeMinusThree(FloatVector.fromArray(FLOATS, x, at + g + i * L), z, a, b, d)
                            .lanewise(VectorOperators.LSHL, 8 * i));
                }
                pack(lanes, dst, (at + g) / 4);
            }
        }
    }

    /**
     * INT4 pass 2: codes of blocks {@code k0 .. k0 + n - 1}, two per byte (first value in the high
     * nibble), by the reference's own arithmetic: {@code q = x / scale} (or {@code (x - zero) /
     * scale}) as one vector division, rounded half away from zero exactly (see int4Codes),
     * signed, clamped and offset. {@code zero} is null for symmetric blocks; a NaN {@code scale[j]} marks a
     * block the first pass has already written. {@code codes} holds the chunk's codes between the two steps.
     */
    private static void int4Pack(float[] x, PackedBlocks out, int k0, int n, float[] zero, float[] scale, int[] codes) {
        // Codes, then packing, each a method of its own: in one method the two grew past what the
        // JIT inlines and a mask was boxed per vector (1.5 MB of garbage per [4096, 128] call).
        int4CodesOf(x, out, k0, n, zero, scale, codes);
        int4PackCodes(out, k0, n, scale, codes);
    }

    /** The INT4 codes (offset, one per int) of blocks {@code k0 .. k0 + n - 1} into {@code codes}, block j at {@code j * block}. */
    private static void int4CodesOf(float[] x, PackedBlocks out, int k0, int n, float[] zero, float[] scale, int[] codes) {
        BlockQuantConfig c = out.config();
        int block = c.blockSize();
        int qmax = c.qmax();
        boolean sym = zero == null;
        int lo = sym ? -qmax : 0, offset = sym ? qmax : 0;
        for (int j = 0; j < n; j++) {
            float s = scale[j];
            if (s != s) {
                continue;
            }
            float z = sym ? 0f : zero[j];
            int at = (k0 + j) * block;
            for (int i = 0; i < block; i += L) {
                int4Codes(FloatVector.fromArray(FLOATS, x, at + i), z, s, qmax, lo, offset).intoArray(codes, j * block + i);
            }
        }
    }

    /** Packs the codes {@link #int4CodesOf} left in {@code codes}, two per byte. */
    private static void int4PackCodes(PackedBlocks out, int k0, int n, float[] scale, int[] codes) {
        int block = out.config().blockSize();
        byte[] dst = out.codes();
        for (int j = 0; j < n; j++) {
            if (scale[j] != scale[j]) {
                continue;
            }
            int at = (k0 + j) * block;
            for (int g = 0; g < block; g += 2 * L) {
                IntVector first = IntVector.fromArray(INTS, codes, j * block + g);
                IntVector second = IntVector.fromArray(INTS, codes, j * block + g + L);
                packPairs(first.or(second.lanewise(VectorOperators.LSHL, 8)), dst, (at + g) / 2);
            }
        }
    }

    /**
     * {@code clamp(roundHalfAwayFromZero(q), lo, qmax) + offset} for {@code q = (x [- zero]) / scale},
     * exactly, without float-to-int conversion (which C2 on JDK 17 does not compile to vector
     * instructions): for {@code 0 <= a < 2^22}, {@code a + 2^23} rounds {@code a} to the nearest
     * integer, ties to even, and its bits minus those of {@code 2^23} are that integer {@code r};
     * {@code a - r} is exact, and half away from zero differs from ties-to-even only where
     * {@code a - r} is exactly {@code +0.5}, which adds one.
     */
    private static IntVector int4Codes(FloatVector v, float zero, float scale, int qmax, int lo, int offset) {
        // One expression for both: for symmetric blocks zero is +0f, and x - 0f is x exactly for
        // every float (-0f included).
        FloatVector q = v.sub(zero).div(scale);
        FloatVector a = q.abs().min(qmax + 1f);
        FloatVector big = a.add(TWO_POW_23);
        IntVector r = big.reinterpretAsInts().sub(TWO_POW_23_BITS);
        FloatVector below = a.sub(big.sub(TWO_POW_23)); // a - r, in [-0.5, 0.5]
        IntVector notTie = below.sub(0.5f).reinterpretAsInts().lanewise(VectorOperators.LSHR, 31); // 0 only at +0.5
        IntVector m = r.add(ONES).sub(notTie);
        IntVector sign = q.reinterpretAsInts().lanewise(VectorOperators.ASHR, 31); // -1 where q is negative
        return m.lanewise(VectorOperators.XOR, sign).sub(sign).max(lo).min(qmax).add(offset);
    }

    /**
     * Byte {@code j} ({@code j} 0 or 1) of lane {@code l} holds the code of value {@code j * L + l}
     * of a group of {@code 2 L}; writes the group's {@code L} bytes, two codes each, at {@code dst[at]}.
     */
    private static void packPairs(IntVector lanes, byte[] dst, int at) {
        // In value order the first 2L bytes pair up as little-endian shorts b0 | b1 << 8, and
        // (s << 4) | (s >>> 8) has b0 << 4 | b1 in its low byte (b1 < 16).
        ShortVector pairs = lanes.reinterpretAsBytes().rearrange(TO_VALUE_ORDER).reinterpretAsShorts();
        pairs.lanewise(VectorOperators.LSHL, 4).or(pairs.lanewise(VectorOperators.LSHR, 8))
                .convertShape(VectorOperators.S2B, PACKED, 0).reinterpretAsBytes()
                .intoArray(dst, at);
    }

    /** The bits of {@code |v|}. */
    private static IntVector absBits(FloatVector v) {
        return v.reinterpretAsInts().and(Integer.MAX_VALUE);
    }

    /**
     * Float bits turned into ints that order as the floats do, {@code -0.0} below {@code +0.0} as
     * in {@link Math#min}: negative floats have their magnitude bits flipped. Its own inverse.
     */
    private static IntVector sortKey(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        return bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.LSHR, 1));
    }

    private static float fromSortKey(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) >>> 1));
    }

    /**
     * {@code [x >= t] - [x <= -t]}, the symmetric code minus its offset 1, for {@code nt = -t}:
     * {@code x - t} is negative exactly when {@code x < t}, and {@code -t - x} (the same float
     * as {@code -x - t}, +0 at {@code x = -t}) is negative exactly when {@code x > -t}; an
     * arithmetic shift turns a sign into -1 or 0.
     */
    private static IntVector symmetricCodeMinusOne(FloatVector v, float t, FloatVector nt) {
        IntVector below = v.sub(t).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
        IntVector aboveNegative = nt.sub(v).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
        return below.sub(aboveNegative);
    }

    /**
     * {@code [d >= t0] + [d >= t1] + [d >= t2] - 3} with {@code d = x - zero} rounded as the
     * reference's: each bracket minus one is the arithmetic sign of {@code d - t_k}.
     */
    private static IntVector asymmetricCodeMinusThree(FloatVector v, float zero, float t0, float t1, float t2) {
        FloatVector d = v.sub(zero);
        return d.sub(t0).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31)
                .add(d.sub(t1).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31))
                .add(d.sub(t2).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31));
    }

    /** A block with a zero or non-finite scale: the scalar kernel, unchanged (rare; allocates once per call). INT2 or INT4. */
    private static int[] fallback(float[] x, PackedBlocks out, int r, int b, int[] codes) {
        int[] scratch = codes != null ? codes : new int[out.cols()];
        if (out.config().bits() == 2) {
            BlockKernels.quantizeBlock(x, out, r, b, scratch, true);
            return scratch;
        }
        // INT4: the scalar kernel leaves the block's codes in the row scratch; pack its bytes here.
        BlockKernels.quantizeBlock(x, out, r, b, scratch, false);
        int block = out.config().blockSize(), c0 = b * block, rowByte = r * out.bytesPerRow();
        byte[] dst = out.codes();
        for (int i = 0; i < block; i += 2) {
            dst[rowByte + (c0 + i) / 2] = (byte) (scratch[c0 + i] << 4 | scratch[c0 + i + 1]);
        }
        return scratch;
    }

    /**
     * Byte {@code j} of lane {@code l} holds the code of value {@code j * L + l} of a group of
     * {@code 4 L}; writes the group's {@code L} packed bytes at {@code dst[at]}.
     */
    private static void pack(IntVector lanes, byte[] dst, int at) {
        IntVector quads = lanes.reinterpretAsBytes().rearrange(TO_VALUE_ORDER).reinterpretAsInts();
        quads.mul(PACK_FOUR).lanewise(VectorOperators.LSHR, 24)
                .convertShape(VectorOperators.I2B, PACKED, 0).reinterpretAsBytes()
                .intoArray(dst, at);
    }

    static void dequantizeRows(PackedBlocks p, float[] out, int from, int to) {
        decodeRows(p, out, from, to, 1, NO_IDS, NO_CENTROIDS, NO_CLUSTERS, 0, p.cols());
    }

    /**
     * Rows {@code [from, to)} dequantized, then each stage's centroid of the row added in stage
     * order, while the values are still in registers: the same float operations, in the same
     * order, as dequantizing and then adding every stage in turn. Row {@code r} belongs to slice
     * {@code r / tokens}; stage {@code s}'s centroid of it is row
     * {@code (r / tokens) * clusters[s] + ids[s][r]} of {@code centroids[s]}, each of
     * {@code p.cols()} floats. Row {@code r} is written at
     * {@code out[outOffset + (r / tokens) * sliceStride + (r % tokens) * cols]}: consecutive rows
     * for {@code sliceStride = tokens * cols}, or each slice at its place in a larger history.
     */
    static void decodeRows(PackedBlocks p, float[] out, int from, int to,
                           int tokens, int[][] ids, float[][] centroids, int[] clusters, int outOffset, int sliceStride) {
        BlockQuantConfig c = p.config();
        int cols = p.cols();
        int block = c.blockSize();
        int blocks = p.blocksPerRow();
        int bytesPerRow = p.bytesPerRow();
        boolean sym = c.symmetric();
        int offset = sym ? c.qmax() : 0;
        ScalePrecision prec = c.scalePrecision();
        byte[] codes = p.codes();
        short[] scales = p.scales();
        short[] zeros = p.zeros();
        int stages = ids.length;
        boolean int2 = c.bits() == 2;
        int[] centroidAt = new int[stages];
        // The first stage in locals: read through the arrays for every vector, it made the
        // one-stage decode (SAS, the common case) twice as slow as dequantizing alone.
        float[] first = stages > 0 ? centroids[0] : null;
        for (int r = from; r < to; r++) {
            for (int s = 0; s < stages; s++) {
                centroidAt[s] = ((r / tokens) * clusters[s] + ids[s][r]) * cols;
            }
            int firstAt = stages > 0 ? centroidAt[0] : 0;
            int rowOut = outOffset + (r / tokens) * sliceStride + (r % tokens) * cols;
            for (int b = 0; b < blocks; b++) {
                int si = r * blocks + b;
                float scale = prec.decode(scales[si]);
                float zero = sym ? 0f : prec.decode(zeros[si]);
                int col0 = b * block;
                int byteAt = r * bytesPerRow + (int2 ? col0 / 4 : col0 / 2);
                for (int i = 0; i < block; i += L) {
                    FloatVector v = (int2 ? int2Values(codes, byteAt + i / 4, offset) : int4Values(codes, byteAt + i / 2, offset))
                            .mul(scale);
                    if (!sym) {
                        v = v.add(zero);
                    }
                    if (stages > 0) {
                        v = v.add(FloatVector.fromArray(FLOATS, first, firstAt + col0 + i));
                        for (int s = 1; s < stages; s++) {
                            v = v.add(FloatVector.fromArray(FLOATS, centroids[s], centroidAt[s] + col0 + i));
                        }
                    }
                    v.intoArray(out, rowOut + col0 + i);
                }
            }
        }
    }

    /** The L INT2 codes packed at {@code codes[at]} (L / 4 bytes), minus {@code offset}, as floats. */
    private static FloatVector int2Values(byte[] codes, int at, int offset) {
        int word = L == 16 ? (int) INT_LE.get(codes, at) : (short) SHORT_LE.get(codes, at) & 0xFFFF;
        IntVector u = IntVector.broadcast(INTS, word).lanewise(VectorOperators.LSHR, UNPACK_SHIFTS).and(3).sub(offset);
        return (FloatVector) u.convert(VectorOperators.I2F, 0);
    }

    /**
     * The L INT4 codes packed at {@code codes[at]} (L / 2 bytes, first value in the high nibble),
     * minus {@code offset}, as floats. The bytes are read as one long, broadcast, and each lane
     * picks the int half holding its byte before shifting.
     */
    private static FloatVector int4Values(byte[] codes, int at, int offset) {
        long word = L == 16 ? (long) LONG_LE.get(codes, at) : (int) INT_LE.get(codes, at) & 0xFFFFFFFFL;
        IntVector halves = LongVector.broadcast(LONGS, word).reinterpretAsInts().rearrange(INT4_HALF);
        IntVector u = halves.lanewise(VectorOperators.LSHR, INT4_SHIFTS).and(15).sub(offset);
        return (FloatVector) u.convert(VectorOperators.I2F, 0);
    }

    private static VectorShuffle<Byte> valueOrder() {
        int n = 4 * L;
        int[] source = new int[n];
        for (int v = 0; v < n; v++) {
            source[v] = 4 * (v % L) + v / L; // value v = j * L + l sits in byte j of lane l
        }
        return VectorShuffle.fromArray(BYTES, source, 0);
    }

    private static int[] int4Shifts() {
        int[] shifts = new int[L];
        for (int l = 0; l < L; l++) {
            shifts[l] = 8 * ((l / 2) % 4) + (l % 2 == 0 ? 4 : 0);
        }
        return shifts;
    }

    private static IntVector unpackShifts() {
        int[] shifts = new int[L];
        for (int l = 0; l < L; l++) {
            shifts[l] = 8 * (l / 4) + 6 - 2 * (l % 4);
        }
        return IntVector.fromArray(INTS, shifts, 0);
    }
}
