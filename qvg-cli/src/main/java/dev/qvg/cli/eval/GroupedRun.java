package dev.qvg.cli.eval;

import dev.qvg.api.metrics.ErrorAccumulator;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.SliceGroups;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Quantizes one tensor a group of slices at a time: read the group (BHSD float32), quantize it
 * with {@link Quantizer#quantizeSlices} (the same bits as quantizing the whole tensor), decode it
 * with the quantizer's own fast {@link Quantizer#dequantizeInto}, accumulate the error, hand the
 * group to a listener (the file writer, a second backend), drop it. Peak memory is a few groups,
 * whatever the tensor's size; the figures equal those of the whole tensor exactly.
 *
 * <p>The after-work of a group (error sums and listener, single-threaded) runs on its own thread
 * while the next group is read and quantized, when the heap has room for the extra buffers
 * ({@link #OVERLAP_HEAP_GROUPS}); groups still finish in order, one at a time.
 */
public final class GroupedRun {

    /** Sees each group once it is quantized and decoded; arrays are reused after it returns. */
    @FunctionalInterface
    public interface GroupListener {
        /**
         * @param input the group's values, BHSD, {@code count * S * D} of them
         * @param part  its quantization
         * @param recon its reconstruction (the first {@code count * S * D} values)
         */
        void group(int first, int count, float[] input, QuantizedKv part, float[] recon) throws IOException;
    }

    /**
     * What a run measured over the whole tensor.
     *
     * @param kmeansIters slice-major, as {@link Evaluator#sliceMajor}
     */
    public record Totals(ErrorMetrics metrics, BitBudget budget, int[] kmeansIters, double quantizeSeconds,
                         double dequantizeSeconds) {
        public Totals {
            kmeansIters = kmeansIters.clone();
        }

        @Override
        public int[] kmeansIters() {
            return kmeansIters.clone();
        }
    }

    /**
     * Heap, in groups, below which a group's after-work (error sums, the listener: encoding,
     * hashing and writing) waits instead of overlapping the next group: overlapping holds two
     * more group buffers (input and reconstruction), about 6-7 groups at the peak instead of 4-5.
     * With the default 64 MiB groups a 1 GiB heap overlaps (about 20-35% faster on 2 cores) and
     * a 384 MiB one does not.
     */
    static final long OVERLAP_HEAP_GROUPS = 10;

    private GroupedRun() {
    }

    /**
     * Refuses, before any work, a tensor whose shape the quantizer cannot take (a head dim that is
     * not a multiple of the block size, too few tokens for a KIVI group), naming the tensor: the
     * quantizer's own message names only the setting.
     */
    public static void requireFits(TensorSource t, Quantizer q) {
        try {
            q.budget(t.shape(), t.role());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' " + t.shape() + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code t} through {@code q} in the groups of {@code groups}, calling {@code listener} after each. */
    public static Totals run(TensorSource t, Quantizer q, SliceGroups groups, GroupListener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        requireFits(t, q);
        KvShape shape = t.shape();
        int S = shape.tokens(), D = shape.headDim();
        ErrorAccumulator error = new ErrorAccumulator(D);
        // Two sets of buffers: the after-work of a group runs while the next one is read and quantized.
        float[][] xs = new float[2][], recons = new float[2][];
        BitBudget budget = null;
        int[] iters = new int[0];
        long quantizeNanos = 0, dequantizeNanos = 0;
        ExecutorService after = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "qvg-group-after");
            th.setDaemon(true);
            return th;
        });
        Future<?> pending = null;
        boolean overlap = Runtime.getRuntime().maxMemory() >= OVERLAP_HEAP_GROUPS * groups.maxGroupFloats() * 4L;
        try {
            for (int g = 0; g < groups.count(); g++) {
                int first = groups.first(g), count = groups.size(g), size = count * S * D, b = overlap ? g % 2 : 0;
                // group g-2 used these buffers; its after-work finished before group g-1's was submitted
                if (xs[b] == null || xs[b].length != size) {
                    xs[b] = new float[size]; // the quantizer takes a tensor of exactly the group's size
                    recons[b] = new float[size];
                }
                float[] x = xs[b], recon = recons[b];
                t.slices().read(first, count, x);
                KvTensor part = KvTensor.wrap(new KvShape(1, count, S, D), x);
                long t0 = System.nanoTime();
                QuantizedKv qp = q.quantizeSlices(part, t.role(), first);
                long t1 = System.nanoTime();
                q.dequantizeInto(qp, recon, 0, S * D);
                long t2 = System.nanoTime();
                quantizeNanos += t1 - t0;
                dequantizeNanos += t2 - t1;
                budget = budget == null ? qp.budget() : budget.plus(qp.budget());
                iters = concat(iters, Evaluator.sliceMajor(qp.kmeansIterations()));
                await(pending);
                // in group order, one at a time: the sums of the error keep the whole tensor's order
                pending = after.submit(() -> {
                    error.add(x, recon, size);
                    listener.group(first, count, x, qp, recon);
                    return null;
                });
                if (!overlap) {
                    await(pending);
                    pending = null;
                }
            }
            await(pending);
        } finally {
            after.shutdownNow();
        }
        return new Totals(error.result(), budget, iters, quantizeNanos / 1e9, dequantizeNanos / 1e9);
    }

    /** Waits for a group's after-work, rethrowing what it threw. */
    private static void await(Future<?> f) throws IOException {
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing a group");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Refuses a reconstruction that is not finite (values near the float range overflow a block's
     * scale): a file holding it could not be decompressed. Names the tensor and the element.
     */
    public static void requireFiniteReconstruction(String tensor, KvShape shape, int first, float[] recon, int length) {
        for (int k = 0; k < length; k++) {
            if (!Float.isFinite(recon[k])) {
                int S = shape.tokens(), D = shape.headDim(), H = shape.heads();
                int slice = first + k / (S * D);
                throw new IllegalArgumentException("tensor '" + tensor + "': its reconstruction is " + recon[k] + " at (b="
                        + slice / H + ", h=" + slice % H + ", s=" + (k / D) % S + ", d=" + k % D + "): the values are too"
                        + " large for this method's block scales (a scale overflowed); nothing was written");
            }
        }
    }
}
