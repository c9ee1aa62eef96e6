package dev.qvg.models.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.cache.CacheShape;
import dev.qvg.models.cache.SpanQuantizer;
import dev.qvg.models.cache.StreamingKvCache;
import dev.qvg.models.testing.Data;
import dev.qvg.models.testing.HandRtnQuantizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AttentionTest {

    /** The definition, in double, with plain loops. */
    static double[] naive(KvTensor q, KvTensor k, KvTensor v, AttentionMask mask) {
        KvShape qs = q.shape(), ks = k.shape();
        int B = qs.batch(), Hq = qs.heads(), Hkv = ks.heads(), Sq = qs.tokens(), Sk = ks.tokens(), D = qs.headDim();
        double[] out = new double[qs.numel()];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < Hq; h++) {
                int hk = h / (Hq / Hkv);
                for (int i = 0; i < Sq; i++) {
                    double[] w = new double[Sk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < Sk; j++) {
                        if (!mask.allows(i, j)) {
                            w[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int d = 0; d < D; d++) {
                            dot += (double) q.get(b, h, i, d) * k.get(b, hk, j, d);
                        }
                        w[j] = dot / Math.sqrt(D);
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < Sk; j++) {
                        w[j] = w[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(w[j] - max);
                        sum += w[j];
                    }
                    for (int d = 0; d < D; d++) {
                        double o = 0;
                        for (int j = 0; j < Sk; j++) {
                            o += w[j] / sum * v.get(b, hk, j, d);
                        }
                        out[((b * Hq + h) * Sq + i) * D + d] = o;
                    }
                }
            }
        }
        return out;
    }

    private static void assertClose(double[] ref, KvTensor got) {
        double maxErr = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(ref[i] - got.data()[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        assertTrue(maxErr <= 1e-5 * Math.max(1, maxRef), "max error " + maxErr + " (max |ref| " + maxRef + ")");
    }

    @Test
    void matchesTheNaiveDefinitionForEveryMask() {
        KvTensor q = Data.keys(new KvShape(2, 4, 12, 32), 1);
        KvTensor k = Data.keys(new KvShape(2, 2, 20, 32), 2);
        KvTensor v = Data.keys(new KvShape(2, 2, 20, 32), 3);
        for (AttentionMask m : new AttentionMask[] {
            AttentionMask.none(), AttentionMask.causal(8, 0), AttentionMask.chunk(8, 0, 4),
            AttentionMask.chunk(9, 4, 5), AttentionMask.causal(20, 10)}) {
            assertClose(naive(q, k, v, m), Attention.sdpa(q, k, v, m));
        }
    }

    @Test
    void reusedWorkspacesGiveTheSameBitsAcrossShapesThreadsAndReleases() throws Exception {
        KvTensor q = Data.keys(new KvShape(1, 4, 12, 32), 7);
        KvTensor big = Data.keys(new KvShape(1, 2, 300, 32), 8), small = Data.keys(new KvShape(1, 2, 20, 32), 9);
        AttentionMask m = AttentionMask.chunk(288, 0, 4);
        float[] first = Attention.sdpa(q, big, big, m).data();
        // A smaller call in between reuses (part of) the same memory; the larger one then gives the same bits.
        assertClose(naive(q, small, small, AttentionMask.none()), Attention.sdpa(q, small, small, AttentionMask.none()));
        assertArrayEquals(first, Attention.sdpa(q, big, big, m).data());
        OffHeap.releaseWorkspaces();
        assertArrayEquals(first, Attention.sdpa(q, big, big, m).data());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<float[]>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> Attention.sdpa(q, big, big, m).data()));
            }
            for (Future<float[]> f : runs) {
                assertArrayEquals(first, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertClose(naive(q, big, big, m), Attention.sdpa(q, big, big, m));
    }

    @Test
    void masksCutWhereExpected() {
        AttentionMask causal = AttentionMask.causal(8, 0);
        assertEquals(9, causal.visibleKeys(0, 20));
        assertEquals(true, causal.allows(0, 8));
        assertEquals(false, causal.allows(0, 9));
        AttentionMask chunk = AttentionMask.chunk(8, 0, 4);
        assertEquals(12, chunk.visibleKeys(0, 20)); // position 8 is chunk 2: keys 0..11
        assertEquals(12, chunk.visibleKeys(3, 20));
        assertEquals(16, chunk.visibleKeys(4, 20));
        assertEquals(20, AttentionMask.none().visibleKeys(5, 20));
    }

    @Test
    void aRowWithNoVisibleKeyIsAnError() {
        KvTensor q = Data.keys(new KvShape(1, 1, 2, 8), 1);
        KvTensor k = Data.keys(new KvShape(1, 1, 4, 8), 2);
        var e = assertThrows(IllegalArgumentException.class, () -> Attention.sdpa(q, k, k, AttentionMask.causal(0, 1)));
        assertTrue(e.getMessage().contains("sees none"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Attention.sdpa(Data.keys(new KvShape(1, 3, 2, 8), 1), Data.keys(new KvShape(1, 2, 4, 8), 1),
                        Data.keys(new KvShape(1, 2, 4, 8), 1), AttentionMask.none()));
    }

    @Test
    void readsFromTheCacheAndMeasuresTheQuantizationError() {
        CacheShape shape = new CacheShape(1, 2, 64, 16, 6);
        KvTensor keys = Data.keys(new KvShape(1, 2, 96, 64), 4), vals = Data.keys(new KvShape(1, 2, 96, 64), 5);
        StreamingKvCache kb = new StreamingKvCache(shape, CachePolicy.reference(), null, KvRole.KEY, 0, 0);
        StreamingKvCache vb = new StreamingKvCache(shape, CachePolicy.reference(), null, KvRole.VALUE, 0, 0);
        kb.append(0, keys);
        vb.append(0, vals);
        KvTensor q = AttentionError.drawQueries(keys, 16, 7);
        AttentionMask m = AttentionMask.chunk(80, 0, 16);
        KvTensor ref = Attention.sdpa(q, kb, vb, 96, m);
        assertEquals(0.0, AttentionError.relativeL2(ref.data(), ref.data()));
        double previous = Double.POSITIVE_INFINITY;
        for (int bits : new int[] {2, 4, 8}) {
            var rtn = SpanQuantizer.fixed(new HandRtnQuantizer(QuantizerConfig.builder().bits(bits).build()));
            StreamingKvCache kq = new StreamingKvCache(shape, new CachePolicy(2, 0, 0), rtn, KvRole.KEY, 0, 0);
            StreamingKvCache vq = new StreamingKvCache(shape, new CachePolicy(2, 0, 0), rtn, KvRole.VALUE, 0, 0);
            kq.append(0, keys);
            vq.append(0, vals);
            KvTensor approx = Attention.sdpa(q, kq, vq, 96, m);
            assertClose(naive(q, kq.read(0, 96), vq.read(0, 96), m), approx);
            double err = AttentionError.relativeL2(ref.data(), approx.data());
            assertEquals(err, AttentionError.of(q, kb.read(0, 96), vb.read(0, 96), kq.read(0, 96), vq.read(0, 96), m),
                    1e-12);
            // More bits, less error; INT8 is close to exact, INT2 clearly is not.
            assertTrue(err < previous, bits + " bits: " + err + " vs " + previous);
            previous = err;
            if (bits == 8) {
                assertTrue(err < 0.05, "int8 attention error " + err);
            }
            if (bits == 2) {
                assertTrue(err > 0.1, "int2 attention error " + err);
            }
        }
    }

    @Test
    void drawnQueriesFollowTheKeys() {
        KvTensor keys = Data.keys(new KvShape(1, 1, 4000, 64), 8);
        KvTensor q = AttentionError.drawQueries(keys, 4000, 1);
        // Channel 3 has scale 8, channel 5 an offset of 4 (see Data.keys).
        assertEquals(stats(keys, 3)[1], stats(q, 3)[1], 0.5);
        assertEquals(stats(keys, 5)[0], stats(q, 5)[0], 0.1);
    }

    private static double[] stats(KvTensor t, int d) {
        int S = t.shape().tokens();
        double m = 0, s = 0;
        for (int i = 0; i < S; i++) {
            m += t.get(0, 0, i, d);
        }
        m /= S;
        for (int i = 0; i < S; i++) {
            double x = t.get(0, 0, i, d) - m;
            s += x * x;
        }
        return new double[] {m, Math.sqrt(s / S)};
    }
}
