package dev.qvg.models.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.testing.Data;
import dev.qvg.models.testing.HandRtnQuantizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One writer appending chunks (and quantizing spans) while readers read random committed ranges:
 * every chunk a reader sees must be exactly its BF16 form or exactly its final quantized form
 * (a whole snapshot, never a torn one), and no read may fail.
 */
class StreamingKvCacheConcurrencyTest {

    static final int T = 8, CHUNKS = 40, READERS = 4;
    static final CacheShape SHAPE = new CacheShape(1, 2, 64, T, CHUNKS);
    static final CachePolicy POLICY = new CachePolicy(3, 1, 1);

    @Test
    void oneWriterManyReaders() {
        assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> run(() -> SpanQuantizer.fixed(new HandRtnQuantizer(QuantizerConfig.publishedInt2()))));
    }

    @Test
    void oneWriterManyReadersOnARegisteredBackend() {
        // PRQ on the CPU backend: k-means while readers dequantize other spans through the same backend.
        QuantizerConfig prq = QuantizerConfig.builder().clusters(8).maxIters(5).build();
        SpanQuantizer shared = SpanQuantizer.reseeding(prq);
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> run(() -> shared));
    }

    private void run(java.util.function.Supplier<SpanQuantizer> quantizers) throws Exception {
        KvTensor data = Data.keys(new KvShape(1, 2, CHUNKS * T, 64), 11);
        // Expected: the BF16 view and the fully quantized view, from a single-threaded run.
        StreamingKvCache bf16 = new StreamingKvCache(SHAPE, POLICY, null, KvRole.KEY, 0, 5);
        bf16.append(0, data);
        float[] plain = bf16.read(0, CHUNKS * T).data();
        StreamingKvCache ref = cache(quantizers.get());
        ref.append(0, data);
        float[] quant = ref.read(0, CHUNKS * T).data();

        StreamingKvCache c = cache(quantizers.get());
        AtomicInteger committed = new AtomicInteger(0);
        AtomicBoolean done = new AtomicBoolean(false);
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger readsDuringWrites = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                long seed = r;
                fs.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    start.await();
                    while (!done.get() || reads.get() < 200) {
                        int upTo = committed.get();
                        if (upTo == 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        int a = rnd.nextInt(upTo * T), b = a + 1 + rnd.nextInt(upTo * T - a);
                        check(c.read(a, b), a, b, plain, quant);
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            fs.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < CHUNKS; i++) {
                    c.append(i * T, data.tokenRange(i * T, (i + 1) * T));
                    committed.set(i + 1);
                    // Let the readers in between writes, so reads and quantizations interleave.
                    int seen = reads.get();
                    long until = System.nanoTime() + 2_000_000_000L;
                    while (reads.get() < seen + READERS && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    readsDuringWrites.set(reads.get());
                }
                done.set(true);
                return null;
            }));
            start.countDown();
            for (Future<?> f : fs) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(reads.get() >= 200, "reads " + reads.get());
        assertTrue(readsDuringWrites.get() >= CHUNKS, "reads while writing " + readsDuringWrites.get());
        assertEquals(ref.bytes(), c.bytes());
        assertEquals(ref.spans().size(), c.spans().size());
    }

    private static StreamingKvCache cache(SpanQuantizer q) {
        return new StreamingKvCache(SHAPE, POLICY, q, KvRole.KEY, 0, 5);
    }

    /** Each token row of the read must match one of the two views exactly, and whole chunks alike. */
    private static void check(KvTensor got, int a, int b, float[] plain, float[] quant) {
        int len = b - a, S = CHUNKS * T, D = 64;
        for (int i = 0; i < 2; i++) {
            Boolean chunkIsQuant = null;
            int chunk = -1;
            for (int t = 0; t < len; t++) {
                int tok = a + t;
                if (tok / T != chunk) {
                    chunk = tok / T;
                    chunkIsQuant = null;
                }
                boolean eqPlain = true, eqQuant = true;
                for (int d = 0; d < D; d++) {
                    float g = got.data()[(i * len + t) * D + d];
                    eqPlain &= g == plain[(i * S + tok) * D + d];
                    eqQuant &= g == quant[(i * S + tok) * D + d];
                }
                if (!eqPlain && !eqQuant) {
                    fail("token " + tok + " of slice " + i + " is neither its BF16 nor its quantized value");
                }
                boolean isQuant = !eqPlain;
                if (chunkIsQuant != null && eqPlain != eqQuant && chunkIsQuant != isQuant) {
                    fail("chunk " + chunk + " is torn between BF16 and quantized rows");
                }
                if (eqPlain != eqQuant) {
                    chunkIsQuant = isQuant;
                }
            }
        }
    }
}
