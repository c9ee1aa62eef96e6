package dev.qvg.cli.eval;

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

/**
 * Quantizes one tensor a group of slices at a time: read the group (BHSD float32), quantize it
 * with {@link Quantizer#quantizeSlices} (the same bits as quantizing the whole tensor), decode it
 * with the quantizer's own fast {@link Quantizer#dequantizeInto}, accumulate the error, hand the
 * group to a listener (the file writer, a second backend), drop it. Peak memory is a few groups,
 * whatever the tensor's size; the figures equal those of the whole tensor exactly.
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

    private GroupedRun() {
    }

    /** Runs {@code t} through {@code q} in the groups of {@code groups}, calling {@code listener} after each. */
    public static Totals run(TensorSource t, Quantizer q, SliceGroups groups, GroupListener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        KvShape shape = t.shape();
        int S = shape.tokens(), D = shape.headDim();
        ErrorAccumulator error = new ErrorAccumulator(D);
        float[] recon = new float[groups.maxGroupFloats()];
        float[] x = null;
        BitBudget budget = null;
        int[] iters = new int[0];
        long quantizeNanos = 0, dequantizeNanos = 0;
        for (int g = 0; g < groups.count(); g++) {
            int first = groups.first(g), count = groups.size(g), size = count * S * D;
            if (x == null || x.length != size) {
                x = new float[size]; // the quantizer takes a tensor of exactly the group's size
            }
            t.slices().read(first, count, x);
            KvTensor part = KvTensor.wrap(new KvShape(1, count, S, D), x);
            long t0 = System.nanoTime();
            QuantizedKv qp = q.quantizeSlices(part, t.role(), first);
            long t1 = System.nanoTime();
            q.dequantizeInto(qp, recon, 0, S * D);
            long t2 = System.nanoTime();
            quantizeNanos += t1 - t0;
            dequantizeNanos += t2 - t1;
            error.add(x, recon, size);
            budget = budget == null ? qp.budget() : budget.plus(qp.budget());
            iters = concat(iters, Evaluator.sliceMajor(qp.kmeansIterations()));
            listener.group(first, count, x, qp, recon);
        }
        return new Totals(error.result(), budget, iters, quantizeNanos / 1e9, dequantizeNanos / 1e9);
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
