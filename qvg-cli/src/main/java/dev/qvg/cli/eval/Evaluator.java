package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvTensor;
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
 */
public final class Evaluator {

    /** Called before and after each (tensor, configuration) run, e.g. to draw progress. */
    public interface Listener {
        default void starting(NamedTensor tensor, QuantizerConfig config) {
        }

        default void finished(EvalResult result) {
        }
    }

    private final String compareBackend;
    private final AttentionProbe attention;

    /**
     * @param compareBackend a second backend to run every configuration on, or {@code null}
     * @param attention      measures attention-level error of each K/V pair ({@link KvPairs}), or
     *                       {@code null} to skip it
     */
    public Evaluator(String compareBackend, AttentionProbe attention) {
        this.compareBackend = compareBackend;
        this.attention = attention;
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
    public record Column(String label, Function<NamedTensor, QuantizerConfig> configFor) {
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
     * given. Work runs configuration by configuration, so only one configuration's
     * reconstructions are held at a time (for the attention-level error of K/V pairs).
     */
    public List<EvalResult> run(List<NamedTensor> tensors, List<QuantizerConfig> configs, Listener listener) {
        return runColumns(tensors, configs.stream().map(Column::of).toList(), listener);
    }

    /**
     * As {@link #run} with columns whose configuration may differ from tensor to tensor (a K/V
     * pair's attention error then uses each tensor's own); a tensor a column leaves out has no
     * result in it.
     */
    public List<EvalResult> runColumns(List<NamedTensor> tensors, List<Column> columns, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        List<KvPairs.Pair> pairs = attention == null ? List.of() : KvPairs.find(tensors);
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
                Evaluated e = evaluateKeeping(tensors.get(t), config, column.label());
                grid[t][c] = e.result;
                if (!pairs.isEmpty()) {
                    recon[t] = e.reconstruction;
                }
                listener.finished(e.result);
            }
            for (KvPairs.Pair p : pairs) {
                if (recon[p.keys()] == null || recon[p.values()] == null) {
                    continue;
                }
                KvTensor k = tensors.get(p.keys()).tensor().toBhsd();
                KvTensor v = tensors.get(p.values()).tensor().toBhsd();
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
    public EvalResult evaluate(NamedTensor t, QuantizerConfig config) {
        return evaluateKeeping(t, config, MethodLabels.of(config)).result;
    }

    private record Evaluated(EvalResult result, float[] reconstruction) {
    }

    private Evaluated evaluateKeeping(NamedTensor t, QuantizerConfig config, String label) {
        KvTensor x = t.tensor().toBhsd();
        Run first = runOnce(x, t, config);
        ErrorMetrics m = ErrorMetrics.compare(x.data(), first.reconstruction, x.shape().headDim());
        BackendComparison cmp = null;
        if (compareBackend != null) {
            Run second = runOnce(x, t, config.toBuilder().backend(compareBackend).build());
            cmp = new BackendComparison(compareBackend,
                    ErrorMetrics.compare(x.data(), second.reconstruction, x.shape().headDim()),
                    ErrorMetrics.compare(first.reconstruction, second.reconstruction, x.shape().headDim()),
                    Arrays.equals(first.reconstruction, second.reconstruction),
                    second.quantizeSeconds + second.dequantizeSeconds);
        }
        return new Evaluated(new EvalResult(t.name(), t.role(), x.shape(), config, m, first.budget, first.kmeansIters,
                first.quantizeSeconds, first.dequantizeSeconds, cmp, Double.NaN, label), first.reconstruction);
    }

    private record Run(float[] reconstruction, BitBudget budget, int[] kmeansIters, double quantizeSeconds,
                       double dequantizeSeconds) {
    }

    private static Run runOnce(KvTensor x, NamedTensor t, QuantizerConfig config) {
        try (OpenPipeline p = OpenPipeline.open(config)) {
            Quantizer q = p.quantizer();
            long t0 = System.nanoTime();
            QuantizedKv qkv = q.quantize(x, t.role());
            long t1 = System.nanoTime();
            KvTensor y = q.dequantize(qkv).toBhsd();
            long t2 = System.nanoTime();
            return new Run(y.data(), qkv.budget(), sliceMajor(qkv.kmeansIterations()), (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9);
        }
    }

    /** {@code [stage][slice]} to a flat list, for each slice its stages in order. */
    static int[] sliceMajor(int[][] byStage) {
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
