package dev.qvg.tools.tune;

import dev.qvg.api.Args;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipelines;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvTensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Error-targeted configuration (issue 11): for one tensor, the configuration of the search space
 * with the fewest bits per value whose measured error on that tensor meets the target.
 *
 * <p>Bits per value are exact and known without running ({@link Quantizer#budget}), so the
 * candidates are sorted by them (ties: fewer stages, then fewer clusters, which cost less
 * k-means work) and run in that order; the first that meets the target is the answer, and no
 * candidate with fewer bits was skipped. Error is not monotone in the knobs (two stages of 64
 * clusters can beat one of 256 at fewer bits), which is why every cheaper candidate is run rather
 * than bisecting. When none meets the target the most accurate candidate is returned with
 * {@code met = false}. Deterministic: k-means draws come from the base config's seed.
 */
public final class Tuner {

    private final Function<QuantizerConfig, Quantizer> factory;

    /** @param factory builds a quantizer for a candidate (e.g. {@code Pipelines::quantizer}) */
    public Tuner(Function<QuantizerConfig, Quantizer> factory) {
        this.factory = Args.notNull(factory, "factory");
    }

    /** A tuner assembling quantizers from the provider registry (the base config's backend). */
    public static Tuner withRegistry() {
        return new Tuner(c -> Pipelines.quantizer(c));
    }

    public TuneResult tune(String tensor, KvTensor x, KvRole role, TuneTarget target, SearchSpace space) {
        Args.notNull(tensor, "tensor");
        Args.notNull(x, "x");
        Args.notNull(role, "role");
        Args.notNull(target, "target");
        Args.notNull(space, "space");
        x.requireFinite(tensor);
        record Candidate(QuantizerConfig config, Quantizer quantizer, double bits) {
        }
        List<Candidate> order = new ArrayList<>();
        for (QuantizerConfig c : space.candidates()) {
            Quantizer q = factory.apply(c);
            order.add(new Candidate(c, q, q.budget(x.shape(), role).bitsPerValue()));
        }
        order.sort(Comparator.comparingDouble(Candidate::bits)
                .thenComparingInt(c -> c.config().stages())
                .thenComparingInt(c -> c.config().stages() == 0 ? 0 : c.config().kmeans().clusters()));
        float[] ref = x.toBhsd().data();
        int D = x.shape().headDim();
        List<TuneResult.Trial> trials = new ArrayList<>();
        TuneResult.Trial best = null;
        for (Candidate c : order) {
            QuantizedKv code = c.quantizer().quantize(x, role);
            ErrorMetrics m = ErrorMetrics.compare(ref, c.quantizer().dequantize(code).data(), D);
            boolean met = target.metBy(m);
            TuneResult.Trial t = new TuneResult.Trial(c.config(), code.budget().bitsPerValue(), m, met);
            trials.add(t);
            if (met) {
                return new TuneResult(tensor, target, t.config(), m, t.bitsPerValue(), true, trials);
            }
            if (best == null || m.relL2() < best.metrics().relL2()) {
                best = t;
            }
        }
        return new TuneResult(tensor, target, best.config(), best.metrics(), best.bitsPerValue(), false, trials);
    }
}
