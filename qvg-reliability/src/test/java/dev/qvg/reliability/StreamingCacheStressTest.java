package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.config.Seeds;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.cache.CacheShape;
import dev.qvg.models.cache.ChunkState;
import dev.qvg.models.cache.EvictedRangeException;
import dev.qvg.models.cache.SpanQuantizer;
import dev.qvg.models.cache.StreamingKvCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;

/**
 * {@link StreamingKvCache} under concurrent use, as in a long generation job: one writer appends
 * chunks (each commit quantizing the spans that fall due), three readers read random overlapping
 * token ranges, one evictor frees the oldest quantized spans. Every value read is compared with
 * the truth computed independently beforehand: the exact BF16 input, or the dequantization of
 * the span quantized by a separately built quantizer with the span's derived seed. A read must
 * come from one consistent state (no torn reads: a span is all quantized or all BF16, spans are
 * quantized in order); nothing deadlocks (every thread runs under a timeout); and at the end the
 * cache's byte count equals the sum computed from the truth.
 */
class StreamingCacheStressTest {

    static final int T = 16, D = 32, HEADS = 2, CHUNKS = 40, MAX_CHUNKS = 48;
    static final CachePolicy POLICY = new CachePolicy(4, 1, 1);
    static final long SEED = 99, LAYER = 3;
    static final int READERS = 3, MIN_READS_PER_READER = 150;

    static final QuantizerConfig CONFIG = QuantizerConfig.builder().method("prq")
            .quant(new BlockQuantConfig(2, 32, true, ScalePrecision.BF16)).clusters(8).maxIters(8).build();

    /** Three rounds: thread timing differs each time, the truth does not. */
    @RepeatedTest(3)
    void oneWriterThreeReadersOneEvictor() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), this::stress,
                "deadlock or livelock: the stress run did not finish in 120 s");
    }

    private void stress() throws Exception {
        CacheShape shape = new CacheShape(1, HEADS, D, T, MAX_CHUNKS);
        float[][] chunkTruth = new float[CHUNKS][];
        for (int c = 0; c < CHUNKS; c++) {
            chunkTruth[c] = Quantize.tensor(new KvShape(1, HEADS, T, D), 1000 + c).data(); // bf16-exact
        }
        int spans = POLICY.spansDue(CHUNKS);
        float[][] spanTruth = new float[spans][];
        long[] spanBytes = new long[spans];
        SpanQuantizer truthQuantizers = quantizers();
        for (int j = 0; j < spans; j++) {
            KvTensor x = concat(chunkTruth, POLICY.spanStart(j), POLICY.spanEnd(j));
            Quantizer q = truthQuantizers.forSeed(Seeds.derive(SEED, LAYER, j));
            QuantizedKv qk = q.quantize(x, KvRole.KEY);
            spanTruth[j] = q.dequantize(qk).toBhsd().data();
            spanBytes[j] = qk.budget().totalBytes();
        }

        StreamingKvCache cache = new StreamingKvCache(shape, POLICY, quantizers(), KvRole.KEY, (int) LAYER, SEED);
        AtomicInteger written = new AtomicInteger();      // tokens appended and committed
        AtomicInteger evictedTo = new AtomicInteger();    // tokens [0, evictedTo) evicted
        AtomicLong reads = new AtomicLong(), quantizedReads = new AtomicLong(), evictedRefusals = new AtomicLong();
        AtomicInteger evictionsWhileWriting = new AtomicInteger();
        CountDownLatch writerDone = new CountDownLatch(1), evictorDone = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2 + READERS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> {
                try {
                    for (int c = 0; c < CHUNKS; c++) {
                        cache.append(c * T, KvTensor.wrap(new KvShape(1, HEADS, T, D), chunkTruth[c]));
                        written.set((c + 1) * T);
                        Thread.sleep(2); // a denoising step's worth of pause: lets readers and evictor interleave
                    }
                } finally {
                    writerDone.countDown();
                }
                return null;
            }));
            futures.add(pool.submit(() -> {
                // Frees the sink and the oldest quantized spans, keeping the newest two.
                try {
                    while (writerDone.getCount() > 0 || cache.spans().size() > 2) {
                        List<StreamingKvCache.Span> held = cache.spans();
                        if (held.size() > 2) {
                            int to = held.get(0).endChunk() * T;
                            cache.evict(0, to);
                            evictedTo.set(to);
                            if (writerDone.getCount() > 0) {
                                evictionsWhileWriting.incrementAndGet();
                            }
                        }
                        Thread.sleep(1);
                    }
                } finally {
                    evictorDone.countDown();
                }
                return null;
            }));
            for (int r = 0; r < READERS; r++) {
                long readerSeed = r;
                futures.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(readerSeed);
                    int done = 0;
                    while (evictorDone.getCount() > 0 || done < MIN_READS_PER_READER) {
                        int hi = written.get(), lo = evictedTo.get();
                        if (hi - lo < 1) {
                            Thread.onSpinWait();
                            continue;
                        }
                        int from = lo + rnd.nextInt(hi - lo);
                        int to = from + 1 + rnd.nextInt(Math.min(hi - from, 5 * T));
                        KvTensor got;
                        try {
                            got = cache.read(from, to);
                        } catch (EvictedRangeException e) {
                            // Legal only if the evictor really freed those tokens meanwhile.
                            assertTrue(e.fromToken() < evictedTo.get(), "refused a read of live tokens: " + e.getMessage());
                            evictedRefusals.incrementAndGet();
                            continue;
                        }
                        if (checkRead(got, from, to, chunkTruth, spanTruth)) {
                            quantizedReads.incrementAndGet();
                        }
                        reads.incrementAndGet();
                        done++;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS); // rethrows any assertion a thread failed
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "a stress thread did not stop");
        }
        assertTrue(reads.get() >= (long) READERS * MIN_READS_PER_READER, "too few reads: " + reads);
        assertTrue(quantizedReads.get() > 0, "no read ever saw a quantized span");

        // Final state: evicted prefix, quantized spans, BF16 tail, and exact byte accounting.
        int evictedChunks = evictedTo.get() / T;
        long expectedBytes = 0;
        for (int c = 0; c < MAX_CHUNKS; c++) {
            ChunkState st = cache.state(c);
            if (c < evictedChunks) {
                assertEquals(ChunkState.EVICTED, st, "chunk " + c);
            } else if (c < CHUNKS && c >= POLICY.spanStart(0) && c < POLICY.spanEnd(spans - 1)) {
                assertEquals(ChunkState.QUANTIZED, st, "chunk " + c);
            } else if (c < CHUNKS) {
                assertEquals(ChunkState.BF16, st, "chunk " + c);
                expectedBytes += 2L * shape.chunkValues();
            } else {
                assertEquals(ChunkState.EMPTY, st, "chunk " + c);
            }
        }
        for (StreamingKvCache.Span sp : cache.spans()) {
            expectedBytes += spanBytes[sp.index()];
            assertTrue(sp.startChunk() >= evictedChunks, "an evicted span is still held");
        }
        assertEquals(expectedBytes, cache.bytes(), "byte accounting after " + reads + " reads");
        // Everything still held reads back as the truth.
        checkRead(cache.read(evictedTo.get(), CHUNKS * T), evictedTo.get(), CHUNKS * T, chunkTruth, spanTruth);
        System.out.printf("streaming cache stress: %d reads (%d touching quantized spans), %d refused as evicted, "
                + "%d spans evicted (%d evictions while writing), %d bytes held%n", reads.get(), quantizedReads.get(),
                evictedRefusals.get(), spans - cache.spans().size(), evictionsWhileWriting.get(), cache.bytes());
        assertEquals(spans - 2, spans - cache.spans().size(), "the evictor kept more than the newest two spans");
    }

    /**
     * Checks a read of {@code [from, to)} token by token against the truth. Returns whether it
     * touched a quantized span. Each chunk must match its BF16 truth or its span's dequantized
     * truth, and the read must be one consistent state: all chunks of a span agree, and a
     * quantized span implies every earlier span in the read is quantized too.
     */
    private static boolean checkRead(KvTensor got, int from, int to, float[][] chunkTruth, float[][] spanTruth) {
        int len = to - from;
        float[] g = got.toBhsd().data();
        boolean anyQuantized = false;
        int lastQuantizedSpan = -1;
        Boolean[] spanSeenQuantized = new Boolean[spanTruth.length];
        for (int c = from / T; c <= (to - 1) / T; c++) {
            int a = Math.max(from, c * T), b = Math.min(to, (c + 1) * T);
            int span = spanOf(c, spanTruth.length);
            boolean bf16 = matches(g, len, from, a, b, chunkTruth[c], T, c * T);
            boolean quantized = !bf16 && span >= 0
                    && matches(g, len, from, a, b, spanTruth[span], POLICY.quantFactor() * T, POLICY.spanStart(span) * T);
            if (!bf16 && !quantized) {
                fail("tokens [" + a + ", " + b + ") of chunk " + c + " match neither the BF16 input nor the dequantized span");
            }
            if (span >= 0 && quantized != bf16) {
                Boolean seen = spanSeenQuantized[span];
                if (seen != null && seen != quantized) {
                    fail("torn read: span " + span + " is partly quantized in one read of [" + from + ", " + to + ")");
                }
                spanSeenQuantized[span] = quantized;
                if (quantized) {
                    lastQuantizedSpan = Math.max(lastQuantizedSpan, span);
                }
            }
            anyQuantized |= quantized;
        }
        for (int s = 0; s < lastQuantizedSpan; s++) {
            if (Boolean.FALSE.equals(spanSeenQuantized[s])) {
                fail("torn read: span " + lastQuantizedSpan + " quantized but earlier span " + s + " still BF16");
            }
        }
        return anyQuantized;
    }

    /** Whether tokens {@code [a, b)} of the read equal {@code truth} (a BHSD block of {@code truthTokens} from {@code truthStart}). */
    private static boolean matches(float[] got, int len, int from, int a, int b, float[] truth, int truthTokens,
                                   int truthStart) {
        for (int h = 0; h < HEADS; h++) {
            int g0 = (h * len + (a - from)) * D, t0 = (h * truthTokens + (a - truthStart)) * D;
            if (!Arrays.equals(got, g0, g0 + (b - a) * D, truth, t0, t0 + (b - a) * D)) {
                return false;
            }
        }
        return true;
    }

    private static int spanOf(int chunk, int spans) {
        for (int j = 0; j < spans; j++) {
            if (chunk >= POLICY.spanStart(j) && chunk < POLICY.spanEnd(j)) {
                return j;
            }
        }
        return -1;
    }

    private static KvTensor concat(float[][] chunks, int start, int end) {
        int n = end - start, S = n * T;
        float[] x = new float[HEADS * S * D];
        for (int c = 0; c < n; c++) {
            for (int h = 0; h < HEADS; h++) {
                System.arraycopy(chunks[start + c], h * T * D, x, (h * S + c * T) * D, T * D);
            }
        }
        return KvTensor.wrap(new KvShape(1, HEADS, S, D), x);
    }

    /** Span quantizers on a 2-thread cpu backend (property set only while the backend is built). */
    private static synchronized SpanQuantizer quantizers() {
        String old = System.getProperty(Quantize.THREADS_PROPERTY);
        System.setProperty(Quantize.THREADS_PROPERTY, "2");
        try {
            return SpanQuantizer.reseeding(CONFIG);
        } finally {
            if (old == null) {
                System.clearProperty(Quantize.THREADS_PROPERTY);
            } else {
                System.setProperty(Quantize.THREADS_PROPERTY, old);
            }
        }
    }
}
