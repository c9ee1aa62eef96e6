package dev.qvg.tools.warm;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.Seeds;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.residual.WarmStart;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Warm against random k-means initialisation over consecutive spans of one tensor (issue 11).
 * The tensor is cut into {@code spans} equal token ranges, as a streaming cache cuts a video;
 * span {@code j} is quantized with seed {@code Seeds.derive(config seed, j)} (as the cache reseeds
 * per span). Cold: every span from random rows. Warm: span 0 cold, span {@code j > 0} from the
 * stored centroids of warm span {@code j - 1} (a chain, as in a real stream). Both are run at the
 * config's {@code maxIters} (iterations to convergence) and at each extra iteration budget
 * (error at equal work). Figures are over spans {@code 1..spans-1}, where the two differ.
 */
public final class WarmStartExperiment {

    private WarmStartExperiment() {
    }

    /** One arm on one span. */
    public record SpanResult(int span, double meanIterations, int maxIterations, double relL2) {
    }

    /** Cold and warm at one iteration budget, spans {@code 1..n-1}. */
    public record Arm(int maxIters, List<SpanResult> cold, List<SpanResult> warm) {

        public double coldIterations() {
            return cold.stream().skip(1).mapToDouble(SpanResult::meanIterations).average().orElse(Double.NaN);
        }

        public double warmIterations() {
            return warm.stream().skip(1).mapToDouble(SpanResult::meanIterations).average().orElse(Double.NaN);
        }

        public double coldRelL2() {
            return cold.stream().skip(1).mapToDouble(SpanResult::relL2).average().orElse(Double.NaN);
        }

        public double warmRelL2() {
            return warm.stream().skip(1).mapToDouble(SpanResult::relL2).average().orElse(Double.NaN);
        }

        /** Cold iterations over warm iterations: the speed-up to convergence. */
        public double iterationRatio() {
            return coldIterations() / warmIterations();
        }
    }

    /** Everything measured on one tensor and split; {@code arms.get(0)} is at the config's own budget. */
    public record Report(String label, int spans, int tokensPerSpan, List<Arm> arms) {

        /** The converged (full-budget) arm. */
        public Arm converged() {
            return arms.get(0);
        }

        /**
         * The cheapest extra-budget arm whose warm error is at most the converged cold error, or
         * {@code null} when none is: "how few iterations warm needs to do as well as cold does".
         */
        public Arm warmMatchingCold() {
            double target = converged().coldRelL2();
            return arms.stream().skip(1).filter(a -> a.warmRelL2() <= target)
                    .min(java.util.Comparator.comparingDouble(Arm::warmIterations)).orElse(null);
        }

        /** Cold iterations to converge over warm iterations to match that error (NaN when warm never does). */
        public double speedupAtEqualError() {
            Arm m = warmMatchingCold();
            return m == null ? Double.NaN : converged().coldIterations() / m.warmIterations();
        }

        public String format() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%s: %d spans of %d tokens (figures: mean over spans 1..%d)%n", label, spans,
                    tokensPerSpan, spans - 1));
            b.append(String.format("  %8s | %10s %10s %6s | %10s %10s%n", "maxIters", "iters cold", "iters warm",
                    "ratio", "relL2 cold", "relL2 warm"));
            for (Arm a : arms) {
                b.append(String.format("  %8d | %10.2f %10.2f %6.2f | %10.5f %10.5f%n", a.maxIters(), a.coldIterations(),
                        a.warmIterations(), a.iterationRatio(), a.coldRelL2(), a.warmRelL2()));
            }
            Arm m = warmMatchingCold();
            b.append(m == null
                    ? String.format("  warm never reaches cold's converged relL2 %.5f at the budgets tried%n",
                            converged().coldRelL2())
                    : String.format("  warm reaches cold's converged relL2 %.5f in %.2f iterations vs cold's %.2f: %.2fx fewer%n",
                            converged().coldRelL2(), m.warmIterations(), converged().coldIterations(),
                            speedupAtEqualError()));
            return b.toString();
        }
    }

    /**
     * @param factory builds the quantizer for a config (e.g. {@code Pipelines::quantizer})
     * @param budgets extra {@code maxIters} values to compare at, besides the config's own
     */
    public static Report run(String label, KvTensor x, KvRole role, int spans, QuantizerConfig config,
                             Function<QuantizerConfig, Quantizer> factory, int... budgets) {
        Args.notNull(x, "x");
        Args.notNull(role, "role");
        Args.notNull(config, "config");
        Args.notNull(factory, "factory");
        int S = x.shape().tokens();
        if (spans < 2 || S % spans != 0) {
            throw new IllegalArgumentException("spans: must be at least 2 and divide the " + S + " tokens, got " + spans);
        }
        List<KvTensor> parts = new ArrayList<>(spans);
        for (int j = 0; j < spans; j++) {
            parts.add(x.tokenRange(j * S / spans, (j + 1) * S / spans));
        }
        List<Arm> arms = new ArrayList<>();
        arms.add(arm(parts, role, config, factory));
        for (int budget : budgets) {
            arms.add(arm(parts, role, config.toBuilder().maxIters(budget).build(), factory));
        }
        return new Report(label, spans, S / spans, arms);
    }

    /**
     * {@code WarmStartExperiment FILE.safetensors|generator SPANS [BUDGET...]}: runs both tensors
     * ({@code k} as keys, {@code v} as values) of the file, or of the built-in generator's default
     * video, with the published INT2 config on whatever backend the registry ranks first
     * ({@code cpu} when qvg-cpu is on the classpath), and prints the tables.
     */
    public static void main(String[] args) throws java.io.IOException {
        if (args.length < 2) {
            System.err.println("usage: WarmStartExperiment FILE.safetensors|generator SPANS [BUDGET...]");
            System.exit(2);
        }
        int spans = Integer.parseInt(args[1]);
        int[] budgets = new int[args.length - 2];
        for (int i = 2; i < args.length; i++) {
            budgets[i - 2] = Integer.parseInt(args[i]);
        }
        KvTensor k, v;
        if (args[0].equals("generator")) {
            dev.qvg.io.VideoKvGenerator.VideoKv g = dev.qvg.io.VideoKvGenerator.generate(dev.qvg.io.VideoKvConfig.defaults());
            k = g.keys();
            v = g.values();
        } else {
            try (var r = dev.qvg.io.SafeTensors.read(java.nio.file.Path.of(args[0]))) {
                k = r.kvTensor("k", dev.qvg.api.tensor.Layout.BHSD);
                v = r.kvTensor("v", dev.qvg.api.tensor.Layout.BHSD);
            }
        }
        QuantizerConfig cfg = QuantizerConfig.builder()
                .backend(dev.qvg.api.registry.Qvg.backends().defaultProvider().name()).build();
        Function<QuantizerConfig, Quantizer> factory = c -> dev.qvg.inject.Pipelines.quantizer(c);
        System.out.print(run(args[0] + " k", k, KvRole.KEY, spans, cfg, factory, budgets).format());
        System.out.print(run(args[0] + " v", v, KvRole.VALUE, spans, cfg, factory, budgets).format());
    }

    private static Arm arm(List<KvTensor> parts, KvRole role, QuantizerConfig config,
                           Function<QuantizerConfig, Quantizer> factory) {
        List<SpanResult> cold = new ArrayList<>(), warm = new ArrayList<>();
        List<ClusterStage> previous = List.of();
        QuantizerConfig warmConfig = WarmStart.enable(config, true);
        for (int j = 0; j < parts.size(); j++) {
            long seed = Seeds.derive(config.kmeans().seed(), j);
            KvTensor part = parts.get(j);
            Quantizer c = factory.apply(config.toBuilder().seed(seed).build());
            cold.add(measure(j, part, c, c.quantize(part, role)));
            Quantizer w = factory.apply(warmConfig.toBuilder().seed(seed).build());
            QuantizedKv wq = w.quantize(part, role, previous);
            warm.add(measure(j, part, w, wq));
            previous = wq.stages();
        }
        return new Arm(config.kmeans().maxIters(), cold, warm);
    }

    private static SpanResult measure(int span, KvTensor x, Quantizer q, QuantizedKv code) {
        int[][] it = code.kmeansIterations();
        long sum = 0;
        int n = 0, max = 0;
        for (int[] stage : it) {
            for (int v : stage) {
                sum += v;
                n++;
                max = Math.max(max, v);
            }
        }
        double rel = ErrorMetrics.compare(x.toBhsd().data(), q.dequantize(code).data(), x.shape().headDim()).relL2();
        return new SpanResult(span, n == 0 ? 0 : (double) sum / n, max, rel);
    }
}
