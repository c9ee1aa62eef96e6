package dev.qvg.cli.eval;

import dev.qvg.api.metrics.ErrorAccumulator;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.SliceGroups;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs quantizers on tensors and measures what they do: error against the original (spec
 * section 10), exact storage (section 8), k-means iterations and time; optionally the same run on
 * a second backend and the difference between the two. The engine behind {@code qvg eval}, usable
 * from code and tests without the command line.
 *
 * <p>Each (tensor, configuration) run streams the tensor a group of slices at a time
 * ({@link GroupedRun}), so a tensor larger than the heap can be evaluated; the figures are those
 * of the whole tensor exactly. Only the attention-level error needs a K/V pair whole: with an
 * {@link AttentionProbe}, each paired tensor and its reconstruction are held in memory.
 */
public final class Evaluator {

    /** Called before and after each (tensor, configuration) run, e.g. to draw progress. */
    public interface Listener {
        default void starting(TensorSource tensor, QuantizerConfig config) {
        }

        default void finished(EvalResult result) {
        }

        /** Slices {@code [first, first + count)} of {@code tensor} are done with {@code config} (progress within a run). */
        default void group(TensorSource tensor, QuantizerConfig config, int first, int count) {
        }
    }

    private final String compareBackend;
    private final AttentionProbe attention;
    private final long groupBytes;

    /**
     * @param compareBackend a second backend to run every configuration on, or {@code null}
     * @param attention      measures attention-level error of each K/V pair ({@link KvPairs}), or
     *                       {@code null} to skip it
     * @param groupBytes     float32 bytes of one group of slices ({@link SliceGroups#plan})
     */
    public Evaluator(String compareBackend, AttentionProbe attention, long groupBytes) {
        if (groupBytes < 1) {
            throw new IllegalArgumentException("groupBytes: must be positive, got " + groupBytes);
        }
        this.compareBackend = compareBackend;
        this.attention = attention;
        this.groupBytes = groupBytes;
    }

    public Evaluator(String compareBackend, AttentionProbe attention) {
        this(compareBackend, attention, SliceGroups.DEFAULT_BUDGET_BYTES);
    }

    public Evaluator(String compareBackend) {
        this(compareBackend, null);
    }

    public Evaluator() {
        this(null, null);
    }

    /**
     * One column of results: a label and, for each tensor, the configuration to run on it, or
     * null to leave that tensor out of the column (a tuned file may name only some tensors).
     */
    public record Column(String label, Function<TensorSource, QuantizerConfig> configFor) {
        public Column {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(configFor, "configFor");
        }

        /** The same configuration for every tensor, labelled by its method. */
        public static Column of(QuantizerConfig config) {
            Objects.requireNonNull(config, "config");
            return new Column(MethodLabels.of(config), t -> config);
        }
    }

    /**
     * Every configuration on every tensor; results are ordered tensors outermost, in the order
     * given.
     */
    public List<EvalResult> run(List<NamedTensor> tensors, List<QuantizerConfig> configs, Listener listener)
            throws IOException {
        return runColumns(tensors.stream().map(TensorSource::of).toList(), configs.stream().map(Column::of).toList(),
                listener);
    }

    /**
     * As {@link #run} with columns whose configuration may differ from tensor to tensor (a K/V
     * pair's attention error then uses each tensor's own); a tensor a column leaves out has no
     * result in it. Work runs configuration by configuration, so only one configuration's
     * reconstructions of K/V pairs are held at a time (for the attention-level error).
     */
    public List<EvalResult> runColumns(List<TensorSource> tensors, List<Column> columns, Listener listener)
            throws IOException {
        Objects.requireNonNull(listener, "listener");
        List<KvPairs.Pair> pairs = attention == null ? List.of() : KvPairs.forSources(tensors);
        boolean[] paired = new boolean[tensors.size()];
        for (KvPairs.Pair p : pairs) {
            paired[p.keys()] = true;
            paired[p.values()] = true;
        }
        EvalResult[][] grid = new EvalResult[tensors.size()][columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            Column column = columns.get(c);
            float[][] recon = new float[tensors.size()][];
            for (int t = 0; t < tensors.size(); t++) {
                QuantizerConfig config = column.configFor().apply(tensors.get(t));
                if (config == null) {
                    continue;
                }
                listener.starting(tensors.get(t), config);
                Evaluated e = evaluateKeeping(tensors.get(t), config, column.label(), paired[t], listener);
                grid[t][c] = e.result;
                recon[t] = e.reconstruction;
                listener.finished(e.result);
            }
            for (KvPairs.Pair p : pairs) {
                if (recon[p.keys()] == null || recon[p.values()] == null) {
                    continue;
                }
                KvTensor k = tensors.get(p.keys()).readAll();
                KvTensor v = tensors.get(p.values()).readAll();
                double rel = attention.relL2(k, v, KvTensor.wrap(k.shape(), recon[p.keys()]),
                        KvTensor.wrap(v.shape(), recon[p.values()]));
                grid[p.keys()][c] = grid[p.keys()][c].withAttention(rel);
                grid[p.values()][c] = grid[p.values()][c].withAttention(rel);
            }
        }
        List<EvalResult> out = new ArrayList<>();
        for (EvalResult[] row : grid) {
            for (EvalResult r : row) {
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return List.copyOf(out);
    }

    /** One tensor with one configuration. */
    public EvalResult evaluate(NamedTensor t, QuantizerConfig config) throws IOException {
        return evaluateKeeping(TensorSource.of(t), config, MethodLabels.of(config), false, new Listener() { }).result;
    }

    /**
     * {@code groupBytes}, or no limit when the method does not quantize parts
     * ({@code QuantizerProvider.supportsParts}): such a tensor is quantized whole, in memory.
     */
    public static long groupBytesFor(QuantizerConfig config, long groupBytes) {
        return dev.qvg.api.registry.Qvg.quantizers().contains(config.method())
                && !dev.qvg.api.registry.Methods.of(config).supportsParts() ? Long.MAX_VALUE : groupBytes;
    }

    /** A result and, when asked to keep it, the whole reconstruction (BHSD). */
    private record Evaluated(EvalResult result, float[] reconstruction) {
    }

    private Evaluated evaluateKeeping(TensorSource t, QuantizerConfig config, String label, boolean keep,
                                      Listener listener) throws IOException {
        KvShape shape = t.shape();
        SliceGroups groups = SliceGroups.plan(shape, groupBytesFor(config, groupBytes),
                Runtime.getRuntime().availableProcessors());
        float[] whole = keep ? new float[shape.numel()] : null;
        int sliceSize = shape.sliceSize();
        try (OpenPipeline p = OpenPipeline.open(config);
             OpenPipeline second = compareBackend == null ? null
                     : OpenPipeline.open(config.toBuilder().backend(compareBackend).build())) {
            Comparing cmp = second == null ? null : new Comparing(second.quantizer(), t, sliceSize, shape.headDim(),
                    groups.maxGroupFloats());
            GroupedRun.Totals first = GroupedRun.run(t, p.quantizer(), groups, (f, count, x, part, recon) -> {
                if (whole != null) {
                    System.arraycopy(recon, 0, whole, f * sliceSize, count * sliceSize);
                }
                if (cmp != null) {
                    cmp.group(f, count, x, recon);
                }
                listener.group(t, config, f, count);
            });
            BackendComparison comparison = cmp == null ? null : cmp.result(compareBackend);
            return new Evaluated(new EvalResult(t.name(), t.role(), shape, config, first.metrics(), first.budget(),
                    first.kmeansIters(), first.quantizeSeconds(), first.dequantizeSeconds(), comparison, Double.NaN, label),
                    whole);
        }
    }

    /** The same groups on a second backend: its error, and its distance from the first backend's reconstruction. */
    private static final class Comparing {
        private final Quantizer quantizer;
        private final TensorSource tensor;
        private final int sliceSize;
        private final ErrorAccumulator metrics;
        private final ErrorAccumulator difference;
        private final float[] recon;
        private boolean identical = true;
        private long nanos;

        Comparing(Quantizer quantizer, TensorSource tensor, int sliceSize, int headDim, int maxFloats) {
            this.quantizer = quantizer;
            this.tensor = tensor;
            this.sliceSize = sliceSize;
            this.metrics = new ErrorAccumulator(headDim);
            this.difference = new ErrorAccumulator(headDim);
            this.recon = new float[maxFloats];
        }

        void group(int first, int count, float[] x, float[] firstRecon) {
            KvShape s = tensor.shape();
            int size = count * sliceSize;
            long t0 = System.nanoTime();
            QuantizedKv q = quantizer.quantizeSlices(KvTensor.wrap(new KvShape(1, count, s.tokens(), s.headDim()), x),
                    tensor.role(), first);
            quantizer.dequantizeInto(q, recon, 0, sliceSize);
            nanos += System.nanoTime() - t0;
            metrics.add(x, recon, size);
            difference.add(firstRecon, recon, size);
            identical &= Arrays.equals(firstRecon, 0, size, recon, 0, size);
        }

        BackendComparison result(String backend) {
            return new BackendComparison(backend, metrics.result(), difference.result(), identical, nanos / 1e9);
        }
    }

    /** {@code [stage][slice]} to a flat list, for each slice its stages in order (eval's kmeans_iters). */
    public static int[] sliceMajor(int[][] byStage) {
        if (byStage.length == 0) {
            return new int[0];
        }
        int slices = byStage[0].length;
        int[] out = new int[byStage.length * slices];
        int k = 0;
        for (int s = 0; s < slices; s++) {
            for (int[] stage : byStage) {
                out[k++] = stage[s];
            }
        }
        return out;
    }
}
