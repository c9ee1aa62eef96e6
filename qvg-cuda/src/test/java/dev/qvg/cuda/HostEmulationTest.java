package dev.qvg.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.reference.ReferenceKernels;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.Fp8E4M3;
import dev.qvg.api.tensor.SliceBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernels, proved without a GPU: their own bodies (everything the PTX is compiled from except
 * the one-line {@code __global__} wrappers), built for the host and run block by block with each
 * GPU thread a fiber (barriers, shuffles, shared memory), launched by {@link DeviceKernels}
 * exactly as on the device, must reproduce the Java reference bit for bit. What this cannot prove
 * (the device compiler, vector stores, streams, JCuda) is left to {@link CudaBackendTest} on a GPU.
 */
class HostEmulationTest {

    private static final long SEED = 0x5EED_C0DAL;

    @BeforeAll
    static void build() {
        HostEmulator.requireFor("HostEmulationTest");
    }

    /** Every value whose encoding is delicate: fp8 code values, midpoints and their neighbours, bf16 ties. */
    private static float[] encoderInputs() {
        List<Float> v = new ArrayList<>(List.of(0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
                Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0xFFC00001), Float.intBitsToFloat(0x7F800001), 448f, -448f, 464f, 447.99997f,
                0x1p-10f, 0x1p-9f, 0x1.8p-10f, 1e-10f, 3e38f));
        for (int c = 0; c < 0x7E; c++) {
            float lo = Fp8E4M3.toFloat((byte) c), hi = Fp8E4M3.toFloat((byte) (c + 1));
            float mid = (lo + hi) / 2; // exact: both are short binary fractions
            for (float f : new float[] {lo, mid, Math.nextUp(mid), Math.nextDown(mid), hi}) {
                v.add(f);
                v.add(-f);
            }
        }
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = 0; i < 4000; i++) {
            int bits = r.nextInt();
            v.add(Float.intBitsToFloat(bits));
            v.add(Float.intBitsToFloat((bits & 0xFFFF0000) | 0x8000)); // bf16 tie
            v.add((float) (r.nextDouble(-500, 500)));
            v.add((float) (r.nextDouble(-0.02, 0.02)));
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    @Test
    void bf16AndFp8EncodersMatchTheJavaOnesOnEveryDelicateValue() throws Exception {
        float[] x = encoderInputs();
        ByteBuffer req = HostEmulator.request(8 + 4 * x.length);
        req.putInt(1).putInt(x.length);
        for (float f : x) {
            req.putFloat(f);
        }
        ByteBuffer res = HostEmulator.run(req);
        for (float f : x) {
            assertEquals(Bf16.fromFloat(f), res.getShort(), () -> "bf16 of " + f + " (" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")");
        }
        for (float f : x) {
            assertEquals(Fp8E4M3.fromFloat(f), res.get(), () -> "fp8 of " + f + " (" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")");
        }
        assertFalse(res.hasRemaining());
    }

    /** Values that exercise ties of the code rounding, zeros of both signs, tiny and huge blocks. */
    private static float[] quantInput(int rows, int cols, int block, SplittableRandom r) {
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            int blockKind = (i / block) % 6;
            switch (blockKind) {
                case 0: x[i] = (float) r.nextGaussian(); break;
                case 1: x[i] = r.nextInt(-6, 7) * 0.5f; break;          // many exact .5 ties
                case 2: x[i] = (float) (r.nextGaussian() * 1e-4); break;  // fp8 scales underflow
                case 3: x[i] = r.nextBoolean() ? 0f : -0f; break;          // signed zeros, MIN_SCALE
                case 4: x[i] = (float) (r.nextGaussian() * 3000); break;  // fp8 scales saturate at 448
                default: x[i] = (float) (r.nextDouble() * 5 + 1); break;  // one-signed block
            }
        }
        return x;
    }

    @Test
    void quantizeKernelsInTwoChunksThenDecodeMatchBlockCodecForEveryFormat() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        int checked = 0;
        for (int bits : new int[] {2, 3, 4, 8}) {
            for (boolean sym : new boolean[] {true, false}) {
                for (ScalePrecision p : ScalePrecision.values()) {
                    for (int block : new int[] {16, 64, 7}) { // 7: codes and blocks straddle bytes
                        int rows = 5, cols = block * 6;
                        BlockQuantConfig cfg = new BlockQuantConfig(bits, block, sym, p);
                        float[] x = quantInput(rows, cols, block, r);
                        PackedBlocks ref = BlockCodec.quantize(x, 0, rows, cols, cfg);
                        float[] deq = new float[x.length];
                        BlockCodec.dequantize(ref, deq, 0);

                        EmulatedDevice dev = new EmulatedDevice();
                        DeviceKernels k = new DeviceKernels(dev);
                        long nb = (long) rows * cfg.blocksPerRow(cols);
                        var dx = dev.of(x);
                        var scales = dev.zeros(2 * nb);
                        var zeros = dev.zeros(sym ? 0 : 2 * nb);
                        var codes = dev.zeros((long) rows * cfg.packedBytesPerRow(cols));
                        var us = dev.zeros(4 * nb);
                        var uz = dev.zeros(4 * nb);
                        // Two chunks on two streams, as CudaBackend.quantizePack issues them.
                        k.quantizeRows(cfg, cols, 0, 3, dx, scales, zeros, us, uz, codes, 0);
                        k.quantizeRows(cfg, cols, 3, rows - 3, dx, scales, zeros, us, uz, codes, 1);
                        var out = dev.zeros(4L * x.length);
                        k.decode(Ptx.DECODE_F32, cfg, rows, cols, codes, scales, zeros, cols, 1, 0, dev.zeros(2),
                                dev.zeros(4), dev.zeros(8), dev.zeros(4), out, 0);
                        dev.run();

                        String what = cfg.toString();
                        assertArrayEquals(ref.codes(), codes.bytes, "codes " + what);
                        assertArrayEquals(ref.scales(), scales.shorts(), "scales " + what);
                        if (!sym) {
                            assertArrayEquals(ref.zeros(), zeros.shorts(), "zeros " + what);
                        }
                        assertBitsEqual(deq, out.floats(), "dequant " + what);
                        checked++;
                    }
                }
            }
        }
        assertEquals(48, checked);
    }

    @Test
    void fusedDecodeKernelsMatchDequantPlusStageCentroidsInOrder() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        int slices = 3, tokens = 10;
        // dim 64: four elements a thread; dims 42 and 30: one (rows not a multiple of 4).
        Object[][] cases = {
            {BlockQuantConfig.publishedInt2(), 64},
            {new BlockQuantConfig(3, 16, false, ScalePrecision.FP8_E4M3), 64},
            {new BlockQuantConfig(8, 32, true, ScalePrecision.BF16), 64},
            {new BlockQuantConfig(3, 7, true, ScalePrecision.BF16), 42},
            {new BlockQuantConfig(4, 6, false, ScalePrecision.FP8_E4M3), 30},
        };
        for (Object[] c : cases) {
            BlockQuantConfig cfg = (BlockQuantConfig) c[0];
            int dim = (Integer) c[1];
            SliceBatch batch = new SliceBatch(slices, tokens, dim);
            float[] x = quantInput(batch.rows(), dim, cfg.blockSize(), r);
            PackedBlocks blocks = BlockCodec.quantize(x, 0, batch.rows(), dim, cfg);
            List<ClusterStage> stages = List.of(stage(r, slices, tokens, dim, 5), stage(r, slices, tokens, dim, 3));
            float[] expected = new float[x.length];
            new ReferenceBackend().decode(batch, blocks, stages, expected);

            EmulatedDevice dev = new EmulatedDevice();
            DeviceKernels k = new DeviceKernels(dev);
            StagePack sp = StagePack.of(stages);
            var codes = dev.bytes(blocks.codes());
            var scales = dev.of(blocks.scales());
            var zeros = cfg.symmetric() ? dev.zeros(0) : dev.of(blocks.zeros());
            var cent = dev.of(sp.centroids());
            var ids = dev.of(sp.ids());
            var offs = dev.of(sp.centroidOffsets());
            var clusters = dev.of(sp.clusters());
            var out = dev.zeros(4L * x.length);
            var outBf = dev.zeros(2L * x.length);
            k.decode(Ptx.DECODE_F32, cfg, batch.rows(), dim, codes, scales, zeros, dim, tokens, stages.size(), cent, ids,
                    offs, clusters, out, 0);
            k.decode(Ptx.DECODE_BF16, cfg, batch.rows(), dim, codes, scales, zeros, dim, tokens, stages.size(), cent, ids,
                    offs, clusters, outBf, 0);
            dev.run();
            assertBitsEqual(expected, out.floats(), "decode " + cfg + " dim " + dim);
            short[] bf = outBf.shorts();
            for (int i = 0; i < bf.length; i++) {
                assertEquals(Bf16.fromFloat(expected[i]), bf[i], "bf16 decode at " + i);
            }
        }
    }

    private static ClusterStage stage(SplittableRandom r, int slices, int tokens, int dim, int clusters) {
        float[] c = new float[slices * clusters * dim];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) r.nextGaussian();
        }
        int[] ids = new int[slices * tokens];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(clusters);
        }
        return ClusterStage.ofFloatCentroids(slices, tokens, dim, clusters, c, ids, new int[slices]);
    }

    @Test
    void kmeansKernelsMatchTheReferenceIncludingTiesAndInactiveSlices() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        // 70 clusters: two centroid tiles, the second partial; dim 20: a partial dimension stage;
        // 150 tokens: three row tiles, the last partial; slice 2 inactive.
        int slices = 3, S = 150, D = 20, K = 70;
        SliceBatch batch = new SliceBatch(slices, S, D);
        float[] pts = new float[batch.numel()];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = r.nextInt(-3, 4); // small integers: exact sums, so distance ties are real ties
        }
        float[] cen = new float[slices * K * D];
        for (int i = 0; i < slices; i++) {
            for (int k = 0; k < K; k++) {
                // Every centroid appears twice (k and k + 35): the lower index must win each tie.
                System.arraycopy(pts, (i * S + (k % 35) * 4) * D, cen, (i * K + k) * D, D);
            }
        }
        boolean[] active = {true, true, false};
        int[] ids = new int[batch.rows()];
        Arrays.fill(ids, -1);
        ids[0] = 0;
        int[] refIds = ids.clone();
        int[] refChanged = {7, 7, 7};
        float[] refCen = cen.clone();
        ReferenceKernels.assign(batch, pts, refCen, K, refIds, refChanged, active);
        ReferenceKernels.updateCentroids(batch, pts, refIds, K, refCen, active);

        EmulatedDevice dev = new EmulatedDevice();
        DeviceKernels k = new DeviceKernels(dev);
        var p = dev.of(pts);
        var c = dev.of(cen);
        var act = dev.of(new int[] {1, 1, 0});
        var id = dev.of(ids);
        var ch = dev.zeros(4L * slices);
        k.assign(slices, S, D, K, p, c, dev.zeros(4L * batch.rows()), dev.zeros(4L * slices * K), act, id, ch, 0);
        k.updateCentroids(slices, S, D, K, p, id, act, c, dev.zeros(4L * slices * K), dev.zeros(4L * slices * K),
                dev.zeros(4L * batch.rows()), 0);
        dev.run();
        assertArrayEquals(refIds, id.ints(), "ids");
        int[] changed = ch.ints();
        assertArrayEquals(new int[] {refChanged[0], refChanged[1], 0}, changed, "changed (inactive slice untouched)");
        assertBitsEqual(refCen, c.floats(), "centroids");
        assertEquals(0, Arrays.stream(refIds).filter(x -> x >= 35).count(), "ties go to the lower duplicate");
        assertTrue(Arrays.stream(refIds, 2 * S, 3 * S).allMatch(x -> x == -1), "the inactive slice keeps its ids");
    }

    /** 600 clusters: counts and cursors in shared memory; 2500: beyond its 2048, in the ends array. */
    @ParameterizedTest(name = "K={0}")
    @ValueSource(ints = {600, 2500})
    void centroidUpdateSortsEachSliceStablyForManyClustersAndLongSlices(int K) throws Exception {
        SplittableRandom r = new SplittableRandom(SEED + 5);
        // 700 tokens: three 256-row chunks, the last partial; several clusters per scanning
        // thread; one cluster holding half the rows, most others empty; slice 1 inactive.
        int slices = 3, S = 700, D = 3;
        SliceBatch batch = new SliceBatch(slices, S, D);
        float[] pts = new float[batch.numel()];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = (float) (r.nextGaussian() * 1e3);
        }
        int[] ids = new int[batch.rows()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextBoolean() ? 417 : r.nextInt(K / 4) * 4;
        }
        Arrays.fill(ids, S, 2 * S, -5); // the inactive slice's ids are never read
        float[] cen = new float[slices * K * D];
        for (int i = 0; i < cen.length; i++) {
            cen[i] = i;
        }
        boolean[] active = {true, false, true};
        float[] refCen = cen.clone();
        ReferenceKernels.updateCentroids(batch, pts, ids, K, refCen, active);

        EmulatedDevice dev = new EmulatedDevice();
        DeviceKernels k = new DeviceKernels(dev);
        var c = dev.of(cen);
        var offsets = dev.zeros(4L * slices * K);
        var ends = dev.zeros(4L * slices * K);
        var order = dev.zeros(4L * batch.rows());
        k.updateCentroids(slices, S, D, K, dev.of(pts), dev.of(ids), dev.of(new int[] {1, 0, 1}), c, offsets, ends, order, 0);
        dev.run();
        assertBitsEqual(refCen, c.floats(), "centroids");
        int[] off = offsets.ints(), end = ends.ints(), ord = order.ints();
        for (int i : new int[] {0, 2}) {
            int expectedStart = 0;
            for (int kk = 0; kk < K; kk++) {
                int at = i * K + kk;
                assertEquals(expectedStart, off[at], "slice " + i + " cluster " + kk + " starts after the ones before");
                for (int j = off[at]; j < end[at]; j++) {
                    int row = ord[i * S + j];
                    assertEquals(kk, ids[i * S + row], "row " + row + " sorted under its own cluster");
                    assertTrue(j == off[at] || ord[i * S + j - 1] < row, "rows of a cluster in increasing order");
                }
                expectedStart = end[at];
            }
            assertEquals(S, expectedStart, "every row of slice " + i + " placed once");
        }
    }

    @Test
    void centroidSubtractAndAccumulateKernelsAreExact() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED + 4);
        SliceBatch b = new SliceBatch(4, 33, 40);
        int K = 7;
        float[] pts = new float[b.numel()], cen = new float[4 * K * 40];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < cen.length; i++) {
            cen[i] = (float) r.nextGaussian();
        }
        int[] ids = r.ints(b.rows(), 0, K).toArray();
        float[] residual = pts.clone();
        ReferenceKernels.subtractCentroids(b, residual, ids, cen, K);
        float[] back = residual.clone();
        ReferenceKernels.accumulateCentroids(b, back, ids, cen, K);

        EmulatedDevice dev = new EmulatedDevice();
        DeviceKernels k = new DeviceKernels(dev);
        var rows = dev.of(pts);
        var copy = dev.of(residual);
        var id = dev.of(ids);
        var c = dev.of(cen);
        k.applyCentroids(b.rows(), b.tokens(), b.dim(), K, rows, id, c, -1, 0);
        k.applyCentroids(b.rows(), b.tokens(), b.dim(), K, copy, id, c, 1, 0);
        dev.run();
        assertBitsEqual(residual, rows.floats(), "subtract");
        assertBitsEqual(back, copy.floats(), "accumulate");
    }

    private static short[] shorts(ByteBuffer b, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = b.getShort();
        }
        return s;
    }

    private static void putShorts(ByteBuffer b, short[] s) {
        for (short v : s) {
            b.putShort(v);
        }
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": first difference at " + i + ": expected " + expected[i] + " got "
                        + actual[i]);
            }
        }
    }
}
